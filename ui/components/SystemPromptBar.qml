import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import FalconChat.Ui

// The chat's system prompt, pinned above the messages (it is also pinned in the model's
// context), with the preset the chat follows. Click Edit to change it; it applies from the next
// reply.
Pane {
    id: root
    property string prompt
    property string presetName  // shown beside the prompt; "" when the chat matches no preset
    property bool editing: false
    signal edited(string text)
    signal presetClicked()
    padding: Theme.spacing
    leftPadding: Theme.margin
    rightPadding: Theme.margin

    RowLayout {
        anchors.fill: parent
        spacing: Theme.spacing
        Label {
            text: qsTr("System")
            font.bold: true
            font.pixelSize: Theme.smallFontSize
            color: Theme.pinnedColor
            // Centred like the prompt beside it (the Edit button makes the row taller than a line).
            Layout.alignment: root.editing ? Qt.AlignTop : Qt.AlignVCenter
        }
        Label {
            visible: !root.editing
            Layout.fillWidth: true
            text: root.prompt.length > 0 ? root.prompt : qsTr("(no system prompt)")
            elide: Text.ElideRight
            maximumLineCount: 2
            wrapMode: Text.Wrap
            font.pixelSize: Theme.smallFontSize
            color: Theme.subtleText
        }
        TextArea {
            id: area
            objectName: "systemPromptEditor"
            visible: root.editing
            Layout.fillWidth: true
            wrapMode: TextEdit.Wrap
            font.pixelSize: Theme.smallFontSize
            Accessible.name: qsTr("System prompt")
            Keys.onEscapePressed: root.editing = false
        }
        ToolButton {
            // Which preset the chat follows; opens the panel where presets are picked.
            objectName: "presetChip"
            visible: !root.editing
            text: root.presetName.length > 0 ? qsTr("Preset: %1").arg(root.presetName) : qsTr("Preset: custom")
            font.pixelSize: Theme.smallFontSize
            Accessible.name: text
            ToolTip.text: qsTr("Presets and sampling (Ctrl+Shift+S)")
            ToolTip.visible: hovered
            ToolTip.delay: 600
            onClicked: root.presetClicked()
        }
        Button {
            objectName: "systemPromptButton"
            text: root.editing ? qsTr("Save") : qsTr("Edit")
            flat: !root.editing
            highlighted: root.editing
            Accessible.name: root.editing ? qsTr("Save the system prompt") : qsTr("Edit the system prompt")
            onClicked: {
                if (root.editing) {
                    root.edited(area.text)
                    root.editing = false
                } else {
                    area.text = root.prompt
                    root.editing = true
                    area.forceActiveFocus()
                }
            }
        }
    }
}
