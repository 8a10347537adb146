import QtQuick
import QtTest
import FalconChat.Ui

// The composer's keyboard contract: Enter sends, Shift+Enter adds a line, Esc stops a reply.
TestCase {
    id: test
    name: "Composer"
    width: 600
    height: 200
    visible: true
    when: windowShown

    Component {
        id: composerComponent
        Composer {
            width: 600
            height: 120
        }
    }

    SignalSpy { id: sendSpy; signalName: "sendRequested" }
    SignalSpy { id: stopSpy; signalName: "stopRequested" }

    function createComposer() {
        const c = createTemporaryObject(composerComponent, test)
        sendSpy.target = c
        stopSpy.target = c
        sendSpy.clear()
        stopSpy.clear()
        const input = findChild(c, "composerInput")
        input.forceActiveFocus()
        return [c, input]
    }

    // A file put into the message goes where the cursor is, on lines of its own, and the typing
    // goes on after it; the + button asks for files.
    function test_a_file_goes_in_at_the_cursor_data() {
        return [
            { tag: "empty field", before: "", cursor: 0, expected: "F\n\n", at: 3 },
            { tag: "after a question", before: "What is this?", cursor: 13, expected: "What is this?\n\nF\n\n", at: 18 },
            { tag: "after a new line", before: "Look:\n", cursor: 6, expected: "Look:\n\nF\n\n", at: 10 },
            { tag: "after a blank line", before: "Look:\n\n", cursor: 7, expected: "Look:\n\nF\n\n", at: 10 },
            { tag: "in the middle", before: "ab", cursor: 1, expected: "a\n\nF\n\nb", at: 6 },
        ]
    }
    function test_a_file_goes_in_at_the_cursor(data) {
        const [c, input] = createComposer()
        input.text = data.before
        input.cursorPosition = data.cursor
        c.insertAttachment("F")
        compare(input.text, data.expected)
        compare(input.cursorPosition, data.at)
        verify(input.activeFocus, "the field has the keyboard, to type the question")
        keyClick("q")
        compare(input.text.charAt(data.at), "q")
    }
    function test_the_plus_button_asks_for_files() {
        const [c, input] = createComposer()
        let asked = 0
        c.attachRequested.connect(() => ++asked)
        mouseClick(findChild(c, "attachButton"))
        compare(asked, 1)
    }

    // While a document's text is read, its name shows under the field with Cancel; typing goes on,
    // sending waits.
    function test_a_document_being_read_shows_with_cancel_and_holds_sending() {
        const [c, input] = createComposer()
        const row = findChild(c, "attachingRow")
        verify(!row.visible)
        c.attaching = "Report 2026.pdf"
        verify(row.visible)
        const label = findChild(row, "attachingLabel")
        verify(label.text.indexOf("Report 2026.pdf") >= 0, label.text)
        let cancelled = 0
        c.cancelAttachingRequested.connect(() => ++cancelled)
        mouseClick(findChild(c, "cancelAttachingButton"))
        compare(cancelled, 1)
        input.forceActiveFocus()
        keyClick(Qt.Key_A)
        compare(input.text, "a")
        // Not sent meanwhile (the document's text would miss the message): Enter and Send wait.
        keyClick(Qt.Key_Return)
        compare(sendSpy.count, 0)
        verify(!findChild(c, "sendButton").enabled)
        c.attaching = ""
        verify(!row.visible)
        verify(findChild(c, "sendButton").enabled)
        keyClick(Qt.Key_Return)
        compare(sendSpy.count, 1)
    }

    function test_enter_sends_trimmed_text() {
        const [c, input] = createComposer()
        keyClick("h"); keyClick("i"); keyClick(Qt.Key_Space)
        keyClick(Qt.Key_Return)
        compare(sendSpy.count, 1)
        compare(sendSpy.signalArguments[0][0], "hi")
        compare(input.text, "", "the composer is cleared after sending")
    }

    // ChatPage puts a refused message (no model loaded yet) back into the composer from its
    // sendRequested handler; the composer once cleared itself after the handler and lost it.
    function test_a_refused_message_can_be_put_back() {
        const [c, input] = createComposer()
        const putBack = (text) => { c.text = text }
        c.sendRequested.connect(putBack)
        keyClick("h"); keyClick("i")
        keyClick(Qt.Key_Return)
        c.sendRequested.disconnect(putBack)
        compare(sendSpy.count, 1)
        compare(input.text, "hi")
    }

    function test_shift_enter_adds_a_line() {
        const [c, input] = createComposer()
        keyClick("a")
        keyClick(Qt.Key_Return, Qt.ShiftModifier)
        keyClick("b")
        compare(sendSpy.count, 0)
        compare(input.text, "a\nb")
    }

    function test_empty_text_is_not_sent() {
        const [c, input] = createComposer()
        keyClick(Qt.Key_Space)
        keyClick(Qt.Key_Return)
        compare(sendSpy.count, 0)
    }

    function test_escape_stops_only_while_busy() {
        const [c, input] = createComposer()
        keyClick(Qt.Key_Escape)
        compare(stopSpy.count, 0)
        c.busy = true
        keyClick(Qt.Key_Escape)
        compare(stopSpy.count, 1)
        keyClick("x")
        keyClick(Qt.Key_Return)
        compare(sendSpy.count, 0, "nothing is sent while a reply is running")
    }

    function test_tab_moves_the_focus_out() {
        const [c, input] = createComposer()
        keyClick("h"); keyClick("i")
        keyClick(Qt.Key_Tab)
        compare(input.text, "hi")  // no tab typed
        verify(!input.activeFocus)
        verify(findChild(c, "sendButton").activeFocus)
        keyClick(Qt.Key_Tab, Qt.ShiftModifier)  // and back
        verify(input.activeFocus)
        compare(input.text, "hi")
    }

    // The count beside the field shows once one is known for typed text, and the warning below
    // it only while the text is too long for the window (it names the window).
    function test_token_count_and_too_long_warning() {
        const [c, input] = createComposer()
        const count = findChild(c, "tokenCount")
        const warning = findChild(c, "tooLongWarning")
        c.tokens = 12
        verify(!count.visible, "no count for an empty field")
        keyClick("h"); keyClick("i")
        verify(count.visible)
        // (Plural forms come from the English catalogue, which this runner does not load.)
        verify(count.text.startsWith("12 token"), count.text)
        c.tokens = 1
        verify(count.text.startsWith("1 token"), count.text)
        verify(!warning.visible)
        c.windowSize = 64
        c.tooLong = true
        verify(warning.visible)
        verify(warning.text.indexOf("64") >= 0, warning.text)
        verify(Qt.colorEqual(count.color, Theme.warningText))
        c.tokens = -1  // being counted again after the model changed, say
        verify(!count.visible && !warning.visible)
    }
}
