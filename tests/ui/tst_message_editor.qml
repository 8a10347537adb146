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
    SignalSpy { id: editedSpy; signalName: "textEdited" }

    function openEditor() {
        const e = createTemporaryObject(editorComponent, test)
        acceptedSpy.target = e
        cancelledSpy.target = e
        editedSpy.target = e
        acceptedSpy.clear()
        cancelledSpy.clear()
        editedSpy.clear()
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

    // The text is offered for counting when the editor opens (also on the text it had the last
    // time it was open) and on every edit; the count shows beside the buttons once known, in the
    // warning colour with the warning below while the text is longer than the window.
    function test_counts_its_text_and_warns_when_too_long() {
        const [e, area] = openEditor()
        verify(editedSpy.count >= 1, "asked for a count on opening")
        compare(editedSpy.signalArguments[editedSpy.count - 1][0], "What is 17 + 25?")
        keyClick("!")
        compare(editedSpy.signalArguments[editedSpy.count - 1][0], "What is 17 + 25?!")
        const count = findChild(e, "editorTokenCount")
        const warning = findChild(e, "editorTooLongWarning")
        verify(!count.visible, "no count until one is known")
        e.tokens = 9
        verify(count.visible)
        verify(count.text.startsWith("9 token"), count.text)
        verify(!warning.visible)
        e.windowSize = 8
        e.tooLong = true
        verify(warning.visible)
        verify(warning.text.indexOf(" 8 ") >= 0, warning.text)
        verify(Qt.colorEqual(count.color, Theme.warningText))
        area.selectAll()
        keyClick(Qt.Key_Delete)
        verify(!count.visible && !warning.visible, "nothing shown for an empty text")
        // Closed and opened again on the same text: asked for again.
        e.active = false
        area.text = e.initialText
        editedSpy.clear()
        e.active = true
        compare(editedSpy.count, 1)
        compare(editedSpy.signalArguments[0][0], "What is 17 + 25?")
    }
}
