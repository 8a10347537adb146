import QtQuick
import QtTest
import FalconChat.Core
import FalconChat.Ui

// WindowState: the window's place, size and side panes come back as the user left them, and
// what an edited settings file holds cannot make the window unusable.
TestCase {
    id: test
    name: "WindowState"

    Component {
        id: stateComponent
        WindowState {}
    }
    // Stand-ins for the ApplicationWindow and the PaneArrangement (the properties it uses).
    Component {
        id: windowComponent
        QtObject {
            property int x: 10
            property int y: 20
            property int width: 1100
            property int height: 720
            property int minimumWidth: 640
            property int minimumHeight: 420
        }
    }
    Component {
        id: panesComponent
        QtObject {
            property bool samplingOpen: false
            property bool sidebarWanted: true
        }
    }

    function make() {
        const w = createTemporaryObject(windowComponent, test)
        const p = createTemporaryObject(panesComponent, test)
        const s = createTemporaryObject(stateComponent, test, { window: w, panes: p })
        return { w: w, p: p, s: s }
    }

    function test_what_the_user_left_comes_back() {
        const a = make()
        a.s.restore()
        a.w.width = 901
        a.w.height = 502
        a.w.x = 33
        a.w.y = 44
        a.p.samplingOpen = true
        a.p.sidebarWanted = false
        verify(a.s.saver.running)  // saved after the changes settle, not at every step of a drag
        tryVerify(() => !a.s.saver.running, 3000)
        compare(AppSettings.windowValue("width", 0), 901)

        const b = make()  // the next start
        b.s.restore()
        compare(b.w.width, 901)
        compare(b.w.height, 502)
        compare(b.w.x, 33)
        compare(b.w.y, 44)
        compare(b.p.samplingOpen, true)
        compare(b.p.sidebarWanted, false)
    }

    function test_a_damaged_or_tiny_saved_state_falls_back() {
        AppSettings.setWindowValue("width", 10)          // below the window's minimum
        AppSettings.setWindowValue("height", "tall")     // not a number
        AppSettings.setWindowValue("samplingOpen", "maybe")
        AppSettings.setWindowValue("sidebarOpen", "false")  // as the file holds it: text
        AppSettings.setWindowValue("x", "1e300")            // far beyond any screen
        AppSettings.setWindowValue("y", "-7")
        const a = make()
        a.s.restore()
        compare(a.w.x, 1000000)
        compare(a.w.y, -7)
        compare(a.w.width, 640)
        compare(a.w.height, 720)
        compare(a.p.samplingOpen, false)
        compare(a.p.sidebarWanted, false)
    }

    // A window that goes before it was restored (a start that failed) saves nothing: the
    // defaults must not replace what the user had.
    function test_nothing_is_saved_before_restore() {
        AppSettings.setWindowValue("width", 1234)
        const a = make()
        a.w.width = 700
        a.s.save()
        compare(AppSettings.windowValue("width", 0), 1234)
    }
}
