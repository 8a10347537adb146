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
    signal editingFinished()  // saved or cancelled: the message field can take the focus back

    function startEditing() {
        area.text = root.prompt
        root.editing = true
        area.forceActiveFocus()
        area.cursorPosition = area.length  // to add to the prompt, the usual edit
    }
    function save() {
        root.edited(area.text)
        root.editing = false
        root.editingFinished()
    }
    function cancel() {
        root.editing = false
        root.editingFinished()
    }
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
        ScrollView {
            visible: root.editing
            Layout.fillWidth: true
            Layout.maximumHeight: 160  // a long prompt scrolls instead of pushing the chat away
            TextArea {
                id: area
                objectName: "systemPromptEditor"
                wrapMode: TextEdit.Wrap
                font.pixelSize: Theme.smallFontSize
                placeholderText: qsTr("How the assistant should behave (Enter saves, Shift+Enter for a new line)")
                Accessible.name: qsTr("System prompt")
                // As in the message field: Enter saves, Shift+Enter adds a line, Esc cancels.
                Keys.onPressed: (event) => {
                    if (TextKeys.submits(event)) {
                        event.accepted = true
                        root.save()
                    } else if (event.key === Qt.Key_Escape) {
                        event.accepted = true
                        root.cancel()
                    }
                }
            }
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
            objectName: "systemPromptCancelButton"
            visible: root.editing
            text: qsTr("Cancel")
            flat: true
            Accessible.name: qsTr("Keep the system prompt as it was")
            onClicked: root.cancel()
        }
        Button {
            objectName: "systemPromptButton"
            text: root.editing ? qsTr("Save") : qsTr("Edit")
            flat: !root.editing
            highlighted: root.editing
            Accessible.name: root.editing ? qsTr("Save the system prompt") : qsTr("Edit the system prompt")
            onClicked: root.editing ? root.save() : root.startEditing()
        }
    }
}
