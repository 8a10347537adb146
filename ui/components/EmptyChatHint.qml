import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import FalconChat.Ui

// What an empty chat shows: a greeting with the model's example prompts (its folder's
// falcon-chat.json) while the message field is empty, or how to get a model when none is loaded.
// The model's state comes in through properties (ChatPage binds ChatController's), so that the
// hint can be tested alone.
ColumnLayout {
    id: root
    property string modelState: "none"  // "none" | "loading" | "ready" | "failed"
    property string modelError
    property real loadProgress: 0
    property var examples: []
    property bool bundled: false
    property bool composerEmpty: true
    signal openModelRequested()
    signal exampleChosen(string text)
    spacing: Theme.spacing

    readonly property bool ready: modelState === "ready"

    Label {
        Layout.fillWidth: true
        horizontalAlignment: Text.AlignHCenter
        wrapMode: Text.WordWrap
        font.pixelSize: Theme.titleFontSize
        text: root.ready ? qsTr("Ask anything. Everything runs on this computer.")
              : root.modelState === "loading" ? qsTr("Loading the model… you can already type.")
              : qsTr("No model is loaded yet.")
    }
    Label {
        Layout.fillWidth: true
        visible: root.modelState === "failed"
        horizontalAlignment: Text.AlignHCenter
        wrapMode: Text.WordWrap
        color: "#c62828"
        text: root.modelError
    }
    ProgressBar {
        Layout.fillWidth: true
        visible: root.modelState === "loading"
        value: root.loadProgress
        Accessible.name: qsTr("Model loading progress")
    }
    // The examples are in the model's own language, so they are shown as they are written.
    Column {
        id: exampleColumn
        objectName: "examplePrompts"
        Layout.fillWidth: true
        Layout.topMargin: Theme.spacing
        visible: root.ready && root.composerEmpty && root.examples.length > 0
        Repeater {
            model: root.examples
            delegate: Button {
                required property string modelData
                // Centred one under the other; a long one is cut to one line, whole in the tooltip.
                anchors.horizontalCenter: parent.horizontalCenter
                width: Math.min(implicitWidth, exampleColumn.width)
                text: modelData
                flat: true
                font.pixelSize: Theme.smallFontSize
                font.capitalization: Font.MixedCase
                contentItem: Label {
                    text: parent.text
                    font: parent.font
                    elide: Text.ElideRight
                    color: Theme.text
                }
                background: Rectangle {
                    radius: Theme.radius
                    color: parent.down ? Theme.selection : parent.hovered || parent.visualFocus ? Theme.userBubble : "transparent"
                    border.color: Theme.evictedColor
                }
                ToolTip.visible: hovered && contentItem.truncated
                ToolTip.text: modelData
                Accessible.name: qsTr("Ask: %1").arg(modelData)
                onClicked: root.exampleChosen(modelData)
            }
        }
    }
    Label {
        Layout.fillWidth: true
        Layout.topMargin: Theme.spacing
        objectName: "demoModelNote"
        visible: root.ready && root.bundled
        horizontalAlignment: Text.AlignHCenter
        wrapMode: Text.WordWrap
        font.pixelSize: Theme.smallFontSize
        color: Theme.subtleText
        text: qsTr("This is the small demo model that comes with the app. For real answers, open a Falcon checkpoint (Ctrl+O).")
    }
    Button {
        Layout.alignment: Qt.AlignHCenter
        objectName: "openModelButton"
        visible: root.modelState === "none" || root.modelState === "failed" || (root.ready && root.bundled)
        text: qsTr("Open a model folder…")
        highlighted: !root.ready
        flat: root.ready
        Accessible.name: text
        onClicked: root.openModelRequested()
    }
}
