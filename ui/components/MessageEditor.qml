import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import FalconChat.Ui

// Editing one of your messages: "Save & resend" (or Enter, as in the composer; Shift+Enter adds a
// line) makes a new branch, Esc cancels. It opens with the cursor after the text.
ColumnLayout {
    id: root
    property string initialText
    property bool active: false
    signal accepted(string text)
    signal cancelled()
    onActiveChanged: if (active) {
        area.text = initialText
        area.cursorPosition = area.length
        area.forceActiveFocus()
    }

    function accept() {
        if (area.text.trim().length > 0)
            root.accepted(area.text)
    }

    TextArea {
        id: area
        objectName: "messageEditorInput"
        Layout.fillWidth: true
        wrapMode: TextEdit.Wrap
        Accessible.name: qsTr("Edit the message")
        Keys.onEscapePressed: root.cancelled()
        Keys.onPressed: (event) => {
            if (TextKeys.submits(event)) {
                event.accepted = true
                root.accept()
            }
        }
    }
    RowLayout {
        Button {
            text: qsTr("Save && resend")
            highlighted: true
            enabled: area.text.trim().length > 0
            Accessible.name: qsTr("Save and resend")
            onClicked: root.accept()
        }
        Button { text: qsTr("Cancel"); Accessible.name: text; onClicked: root.cancelled() }
    }
}
