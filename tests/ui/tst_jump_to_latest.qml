import QtQuick
import QtTest
import FalconChat.Ui

// JumpToLatestButton over a message list: it appears once the user scrolls up, not at the end,
// and a click goes back to the end and follows again.
TestCase {
    id: test
    name: "JumpToLatestButton"
    width: 400
    height: 300
    visible: true
    when: windowShown

    Component {
        id: listComponent
        ListView {
            id: list
            width: 400
            height: 300
            property bool following: true
            model: 40
            delegate: Rectangle { width: 400; height: 50; color: index % 2 ? "#ddd" : "#eee" }
            onMovementEnded: following = atYEnd
            JumpToLatestButton {
                parent: list
                view: list
            }
        }
    }

    function test_appears_up_the_list_and_jumps_back() {
        const list = createTemporaryObject(listComponent, test)
        const button = findChild(list, "jumpToLatestButton")
        list.positionViewAtEnd()
        tryCompare(button, "visible", false)
        mouseWheel(list, 200, 150, 0, 120 * 4)  // up
        tryVerify(() => !list.following, 3000, "scrolling up stops following")
        verify(button.visible)
        const spy = createTemporaryQmlObject("import QtTest; SignalSpy {}", test)
        spy.target = button
        spy.signalName = "jumped"
        mouseClick(button)
        compare(spy.count, 1)
        verify(list.following)
        tryCompare(button, "visible", false)
        verify(list.atYEnd)
    }

    function test_hidden_while_a_followed_reply_streams() {
        const list = createTemporaryObject(listComponent, test)
        const button = findChild(list, "jumpToLatestButton")
        button.streaming = true
        list.contentY = 0  // content below the view, but the view follows the reply
        verify(list.following)
        verify(!button.visible)
        list.following = false  // the user moved away: the way back is offered
        verify(button.visible)
    }

    function test_nothing_to_jump_to_in_an_empty_or_short_list() {
        const list = createTemporaryObject(listComponent, test, { model: 0 })
        verify(!findChild(list, "jumpToLatestButton").visible)
        list.model = 3  // fits the view
        verify(!findChild(list, "jumpToLatestButton").visible)
    }
}
