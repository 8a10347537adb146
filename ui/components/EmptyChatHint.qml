import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import FalconChat.Core
import FalconChat.Ui

// What an empty chat shows: a greeting, or how to get a model when none is loaded.
ColumnLayout {
    id: root
    signal openModelRequested()
    spacing: Theme.spacing

    Label {
        Layout.fillWidth: true
        horizontalAlignment: Text.AlignHCenter
        wrapMode: Text.WordWrap
        font.pixelSize: Theme.titleFontSize
        text: ChatController.modelState === "ready" ? qsTr("Ask anything. Everything runs on this computer.")
              : ChatController.modelState === "loading" ? qsTr("Loading the model… you can already type.")
              : qsTr("No model is loaded yet.")
    }
    Label {
        Layout.fillWidth: true
        visible: ChatController.modelState === "failed"
        horizontalAlignment: Text.AlignHCenter
        wrapMode: Text.WordWrap
        color: "#c62828"
        text: ChatController.modelError
    }
    ProgressBar {
        Layout.fillWidth: true
        visible: ChatController.modelState === "loading"
        value: ChatController.loadProgress
        Accessible.name: qsTr("Model loading progress")
    }
    Button {
        Layout.alignment: Qt.AlignHCenter
        visible: ChatController.modelState === "none" || ChatController.modelState === "failed"
        text: qsTr("Open a model folder…")
        highlighted: true
        Accessible.name: text
        onClicked: root.openModelRequested()
    }
}
