import QtQuick
import QtTest
import FalconChat.Ui

// The system prompt bar's editor: it opens with the cursor after the prompt, Enter saves,
// Shift+Enter adds a line, Esc and Cancel keep the prompt as it was.
TestCase {
    id: test
    name: "SystemPromptBar"
    width: 700
    height: 300
    visible: true
    when: windowShown

    Component {
        id: barComponent
        SystemPromptBar {
            width: 700
            prompt: "You are terse."
        }
    }

    SignalSpy { id: editedSpy; signalName: "edited" }
    SignalSpy { id: finishedSpy; signalName: "editingFinished" }

    function open() {
        const bar = createTemporaryObject(barComponent, test)
        editedSpy.target = bar
        finishedSpy.target = bar
        editedSpy.clear()
        finishedSpy.clear()
        mouseClick(findChild(bar, "systemPromptButton"))
        const area = findChild(bar, "systemPromptEditor")
        verify(bar.editing)
        tryVerify(() => area.activeFocus)
        return [bar, area]
    }

    function test_opens_with_the_cursor_after_the_prompt() {
        const [bar, area] = open()
        compare(area.text, "You are terse.")
        compare(area.cursorPosition, area.length)
        keyClick(Qt.Key_Space); keyClick("o"); keyClick("k")
        compare(area.text, "You are terse. ok")
    }

    function test_enter_saves_shift_enter_adds_a_line() {
        const [bar, area] = open()
        keyClick(Qt.Key_Return, Qt.ShiftModifier)
        keyClick("x")
        compare(editedSpy.count, 0)
        keyClick(Qt.Key_Return)
        compare(editedSpy.count, 1)
        compare(editedSpy.signalArguments[0][0], "You are terse.\nx")
        verify(!bar.editing)
        compare(finishedSpy.count, 1)
    }

    function test_escape_and_cancel_keep_the_prompt() {
        let [bar, area] = open()
        keyClick("x")
        keyClick(Qt.Key_Escape)
        verify(!bar.editing)
        compare(editedSpy.count, 0)
        compare(finishedSpy.count, 1)
        mouseClick(findChild(bar, "systemPromptButton"))  // opened again: the prompt as it was
        compare(findChild(bar, "systemPromptEditor").text, "You are terse.")
        mouseClick(findChild(bar, "systemPromptCancelButton"))
        verify(!bar.editing)
        compare(editedSpy.count, 0)
    }
}
