import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import FalconChat.Core
import FalconChat.Ui

// Backend and device, weight format and memory, the speed of the last reply, and notices
// (GPU fallback, resume).
ToolBar {
    id: root
    implicitHeight: 28
    RowLayout {
        anchors.fill: parent
        anchors.leftMargin: Theme.margin
        anchors.rightMargin: Theme.margin
        spacing: Theme.margin * 2
        Label {
            objectName: "backendLabel"
            text: ChatController.modelState === "ready" ? ChatController.statusText
                  : ChatController.modelState === "loading" ? qsTr("Loading model…")
                  : qsTr("No model")
            font.pixelSize: Theme.smallFontSize
            Accessible.name: text
        }
        Label {
            visible: ChatController.lastTokensPerSecond > 0
            text: qsTr("Last reply: %1 tok/s").arg(ChatController.lastTokensPerSecond.toFixed(1))
            font.pixelSize: Theme.smallFontSize
        }
        Label {
            Layout.fillWidth: true
            text: ChatController.notice
            elide: Text.ElideRight
            font.pixelSize: Theme.smallFontSize
            opacity: 0.8
        }
        ProgressBar {
            visible: ChatController.modelState === "loading"
            value: ChatController.loadProgress
            Layout.preferredWidth: 120
            Accessible.name: qsTr("Model loading progress")
        }
    }
}
