import QtQuick
import QtTest
import FalconChat.Ui

// Editing a sent message: it opens with the cursor after the text, Enter saves and resends the
// edited text, Shift+Enter adds a line, an empty text is not sent, Esc cancels.
TestCase {
    id: test
    name: "MessageEditor"
    width: 600
    height: 200
    visible: true
    when: windowShown

    Component {
        id: editorComponent
        MessageEditor {
            width: 600
            initialText: "What is 17 + 25?"
        }
    }

    SignalSpy { id: acceptedSpy; signalName: "accepted" }
    SignalSpy { id: cancelledSpy; signalName: "cancelled" }

    function openEditor() {
        const e = createTemporaryObject(editorComponent, test)
        acceptedSpy.target = e
        cancelledSpy.target = e
        acceptedSpy.clear()
        cancelledSpy.clear()
        e.active = true
        const area = findChild(e, "messageEditorInput")
        verify(area.activeFocus, "the editor takes the focus when it opens")
        return [e, area]
    }

    function test_opens_with_the_cursor_after_the_text() {
        const [e, area] = openEditor()
        compare(area.cursorPosition, area.length)
        keyClick(Qt.Key_Backspace)
        keyClick("!")
        compare(area.text, "What is 17 + 25!")
    }

    function test_enter_saves_and_resends() {
        const [e, area] = openEditor()
        keyClick(Qt.Key_Space)
        keyClick("x")
        keyClick(Qt.Key_Return)
        compare(acceptedSpy.count, 1)
        compare(acceptedSpy.signalArguments[0][0], "What is 17 + 25? x")
    }

    function test_shift_enter_adds_a_line() {
        const [e, area] = openEditor()
        keyClick(Qt.Key_Return, Qt.ShiftModifier)
        keyClick("y")
        compare(acceptedSpy.count, 0)
        compare(area.text, "What is 17 + 25?\ny")
    }

    function test_empty_text_is_not_sent() {
        const [e, area] = openEditor()
        area.selectAll()
        keyClick(Qt.Key_Delete)
        keyClick(Qt.Key_Space)
        keyClick(Qt.Key_Return)
        compare(acceptedSpy.count, 0)
    }

    function test_escape_cancels() {
        const [e, area] = openEditor()
        keyClick(Qt.Key_Escape)
        compare(cancelledSpy.count, 1)
        compare(acceptedSpy.count, 0)
    }
}
