import QtQuick
import QtTest
import FalconChat.Ui

// EndFollower keeps a message list at its end while a chat that just opened lays itself out,
// for as long as the layout goes on (up to a limit), and leaves the view alone afterwards, once
// the user scrolled away, and past the limit. The clock is the test's: each step says the time.
TestCase {
    id: test
    name: "EndFollower"
    width: 400
    height: 300
    visible: true
    when: windowShown

    property real now: 0

    Component {
        id: listComponent
        ListView {
            id: list
            width: 400
            height: 300
            property bool following: true
            property alias follower: follower
            model: ListModel {
                Component.onCompleted: {
                    for (let i = 0; i < 40; ++i)
                        append({ h: 50 })
                }
            }
            delegate: Rectangle {
                required property int h
                required property int index
                width: 400
                height: h
                color: index % 2 ? "#ddd" : "#eee"
            }
            onMovementEnded: following = atYEnd
            EndFollower {
                id: follower
                view: list
                clock: () => test.now
            }
        }
    }

    function opened() {
        test.now = 0
        const list = createTemporaryObject(listComponent, test)
        list.positionViewAtEnd()
        list.follower.settle()
        tryVerify(() => list.atYEnd)
        wait(20)  // the positioning settle() queued (Qt.callLater) has run
        return list
    }

    // The last message takes its height in steps, as a code block does on a loaded machine.
    function grow(list, at) {
        test.now = at
        const last = list.model.count - 1
        list.model.setProperty(last, "h", list.model.get(last).h + 100)
        list.forceLayout()  // the new height in contentHeight now, not at the next polish
    }

    function test_follows_a_layout_that_outlasts_the_first_second() {
        const list = opened()
        for (const at of [300, 700, 1100, 1500, 1900, 2300]) {
            grow(list, at)
            verify(list.atYEnd, "at the end after the change at " + at + " ms")
        }
    }

    function test_a_change_after_the_layout_settled_stays_put() {
        const list = opened()
        grow(list, 800)
        verify(list.atYEnd)
        const y = list.contentY
        grow(list, 1400)  // 600 ms after the last change, past the first second: an editor opened
        compare(list.contentY, y, "the view did not move")
        verify(!list.atYEnd)
    }

    function test_settling_ends_at_the_limit() {
        const list = opened()
        let at = 0
        for (; at + 400 < list.follower.maximumMs; at += 400) {
            grow(list, at + 400)
            verify(list.atYEnd, "at " + (at + 400) + " ms")
        }
        const y = list.contentY
        grow(list, list.follower.maximumMs + 100)
        compare(list.contentY, y, "no longer followed past the limit")
    }

    function test_not_after_the_user_scrolled_away() {
        const list = opened()
        mouseWheel(list, 200, 150, 0, 120 * 4)  // up
        tryVerify(() => !list.following, 3000)
        const y = list.contentY
        grow(list, 300)
        compare(list.contentY, y)
    }

    // ListView corrects its estimate of the rows above and moves itself, with no change of the
    // content's height: while settling, the view goes back to the end all the same.
    function test_a_move_of_its_own_while_settling_is_undone() {
        const list = opened()
        test.now = 600
        list.contentY -= 400
        verify(!list.atYEnd)
        tryVerify(() => list.atYEnd, 1000, "back at the end")
        test.now = 3000  // settled: a move now is the user's or the view's own, and stays
        list.contentY -= 400
        wait(list.follower.checkMs * 4)
        verify(!list.atYEnd)
    }

    function test_not_while_the_user_holds_the_scroll_bar() {
        const list = opened()
        list.follower.held = true
        test.now = 300
        list.contentY -= 400
        grow(list, 400)
        wait(list.follower.checkMs * 4)
        verify(!list.atYEnd)
    }

    function test_a_streaming_reply_is_followed_at_any_time() {
        const list = opened()
        list.follower.busy = true
        grow(list, 60000)
        verify(list.atYEnd)
    }

    function test_new_messages_settle_again() {
        const list = opened()
        test.now = 10000
        list.model.append({ h: 50 })  // a message sent, long after the chat opened
        tryVerify(() => list.atYEnd)
        grow(list, 10400)
        verify(list.atYEnd)
    }
}
