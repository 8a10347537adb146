import QtQuick
import QtTest
import FalconChat.Ui

// EmptyChatHint: the model's example prompts while the message field is empty, each sending
// itself when clicked; the demo model's note and the way to open a real one.
TestCase {
    id: test
    name: "EmptyChatHint"
    width: 600
    height: 600
    visible: true
    when: windowShown

    Component {
        id: hintComponent
        EmptyChatHint {
            width: 400
            modelState: "ready"
            examples: ["What can you do?", "Count from 5 to 12.",
                       "A very long example prompt that goes on and on, far wider than the hint has room for in one line"]
        }
    }

    function examplesOf(hint) {
        const column = findChild(hint, "examplePrompts")
        const buttons = []
        for (let i = 0; i < column.children.length; ++i)
            if (column.children[i].text !== undefined)
                buttons.push(column.children[i])
        return buttons.sort((a, b) => a.y - b.y)  // top to bottom, as shown
    }

    function test_examples_send_themselves() {
        const hint = createTemporaryObject(hintComponent, test)
        const column = findChild(hint, "examplePrompts")
        verify(column.visible)
        waitForRendering(hint)  // laid out
        const buttons = examplesOf(hint)
        compare(buttons.length, 3)
        compare(buttons[1].text, "Count from 5 to 12.")
        const spy = createTemporaryQmlObject("import QtTest; SignalSpy {}", test)
        spy.target = hint
        spy.signalName = "exampleChosen"
        mouseClick(buttons[1])
        compare(spy.count, 1)
        compare(spy.signalArguments[0][0], "Count from 5 to 12.")
        // Centred under each other, and the long one kept inside the hint, cut to one line.
        fuzzyCompare(buttons[0].x + buttons[0].width / 2, column.width / 2, 1)
        verify(buttons[2].width <= hint.width)
        verify(buttons[2].contentItem.truncated)
    }

    function test_examples_only_while_ready_and_nothing_is_typed() {
        const hint = createTemporaryObject(hintComponent, test)
        const column = findChild(hint, "examplePrompts")
        hint.composerEmpty = false
        verify(!column.visible)
        hint.composerEmpty = true
        verify(column.visible)
        hint.modelState = "loading"
        verify(!column.visible)
        hint.modelState = "ready"
        hint.examples = []
        verify(!column.visible)
    }

    function test_the_demo_model_points_to_real_ones() {
        const hint = createTemporaryObject(hintComponent, test)
        const note = findChild(hint, "demoModelNote")
        const open = findChild(hint, "openModelButton")
        verify(!note.visible)
        verify(!open.visible)  // a real model is loaded: nothing to open
        hint.bundled = true
        verify(note.visible)
        verify(open.visible)
        const spy = createTemporaryQmlObject("import QtTest; SignalSpy {}", test)
        spy.target = hint
        spy.signalName = "openModelRequested"
        mouseClick(open)
        compare(spy.count, 1)
        // Without a model the button is the way on, and the note is gone.
        hint.modelState = "none"
        verify(!note.visible)
        verify(open.visible)
    }
}
