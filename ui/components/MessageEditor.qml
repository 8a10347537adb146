import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import FalconChat.Ui

// Editing one of your messages: "Save & resend" (or Enter, as in the composer; Shift+Enter adds a
// line) makes a new branch, Esc cancels. It opens with the cursor after the text. As in the
// composer, the text's length in tokens shows beside the buttons, with a warning when it is longer
// than the chat's window (textEdited asks for the count; tokens, tooLong and windowSize give it).
ColumnLayout {
    id: root
    property string initialText
    property bool active: false
    property real tokens: -1
    property bool tooLong: false
    property int windowSize: 0
    readonly property bool hasText: area.text.trim().length > 0
    signal accepted(string text)
    signal cancelled()
    signal textEdited(string text)
    onActiveChanged: if (active) {
        area.text = initialText
        area.cursorPosition = area.length
        area.forceActiveFocus()
        root.textEdited(area.text)  // also when it opens on the text it had last time
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
        onTextChanged: if (root.active) root.textEdited(text)
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
            enabled: root.hasText
            Accessible.name: qsTr("Save and resend")
            onClicked: root.accept()
        }
        Button { text: qsTr("Cancel"); Accessible.name: text; onClicked: root.cancelled() }
        TokenCount {
            objectName: "editorTokenCount"
            tokens: root.tokens
            tooLong: root.tooLong
            hasText: root.hasText
        }
    }
    WindowWarning {
        objectName: "editorTooLongWarning"
        visible: root.tooLong && root.tokens >= 0 && root.hasText
        windowSize: root.windowSize
    }
}
