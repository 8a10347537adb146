import QtQuick
import QtTest
import FalconChat.Ui

// Toast: while a message (an error stays 8 s) is shown, the window's shortcuts keep working: a
// popup that Esc closes blocks every shortcut outside it, and Ctrl+Q did nothing after an error.
TestCase {
    id: test
    name: "Toast"
    width: 600
    height: 400
    visible: true
    when: windowShown

    property int fired: 0
    Shortcut { sequence: "Ctrl+Q"; onActivated: test.fired++ }

    Component {
        id: toastComponent
        Toast { }
    }

    function test_shortcuts_work_while_it_shows() {
        const toast = createTemporaryObject(toastComponent, test)
        toast.show("The model is still loading.", true)
        tryCompare(toast, "opened", true)
        fired = 0
        keyClick(Qt.Key_Q, Qt.ControlModifier)
        compare(fired, 1)
        verify(toast.visible)  // it stays until its time is up, a click, or a tap on it
        mouseClick(toast.contentItem)
        tryCompare(toast, "visible", false)
    }
}
