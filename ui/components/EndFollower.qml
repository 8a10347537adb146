import QtQuick

// Keeps a chat's message list at its newest message while it should be there: while a reply
// streams into a view the user has not scrolled away from (`busy`), and while a chat that just
// opened (or messages that just arrived) lays itself out. Code blocks and long Markdown take
// their heights only after the first positioning, in a chain of layout passes; on a loaded
// machine that chain outlasted the fixed second this used to be, and a chat opened partway up
// its last reply. So the settling lasts at least `minimumMs`, goes on while the content still
// changes (each change within `quietMs` of the one before), and ends after `maximumMs` at the
// latest. A change after that (an editor opened in place, "Show all") leaves the view where it is.
// While settling, the view is also checked every `checkMs`: ListView can move itself off the end
// with no change of its content's height (its estimate of the rows above corrected), which on a
// loaded machine came after the last change and left the chat short of its end.
// `view` is a ListView with a `following` property (false once the user scrolled away); `held`:
// the user holds its scroll bar (which moves the view without `moving`).
QtObject {
    id: root
    required property ListView view
    property bool busy: false
    property bool held: false
    property int checkMs: 50
    property int minimumMs: 1000
    property int quietMs: 500
    property int maximumMs: 5000
    // Milliseconds now; tests give a clock of their own.
    property var clock: () => Date.now()

    property real settleFrom: -1e15
    property real lastChange: -1e15

    // Whether a change of the content now is still part of the settling.
    function settling() {
        const t = clock()
        return t < settleFrom + maximumMs && (t < settleFrom + minimumMs || t < lastChange + quietMs)
    }
    // A chat opened, or messages came: back to its end, and settle there.
    function settle() {
        settleFrom = clock()
        lastChange = settleFrom
        if (view.following)
            Qt.callLater(view.positionViewAtEnd)
        checker.restart()
    }
    // Back to the end if the view was moved off it while settling (not by the user).
    function keep() {
        if (!view.following || view.moving || held || view.atYEnd)
            return
        lastChange = clock()
        view.positionViewAtEnd()
    }

    property Timer checker: Timer {
        interval: root.checkMs
        repeat: true
        onTriggered: {
            if (root.settling())
                root.keep()
            else
                stop()
        }
    }

    property Connections events: Connections {
        target: root.view
        function onCountChanged() { root.settle() }
        function onContentHeightChanged() {
            if (!root.view.following || root.view.moving || root.held)
                return
            if (root.busy) {
                root.view.positionViewAtEnd()
            } else if (root.settling()) {
                root.lastChange = root.clock()
                root.view.positionViewAtEnd()
            }
        }
    }
}
