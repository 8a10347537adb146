import QtQuick
import FalconChat.Core

// The window's place and size and which side panes are open, as the user left them: restored
// once at start (restore(), before the first frame) and saved half a second after the last
// change and as the window goes. Kept through AppSettings, whose file is written behind on a
// thread of its own; Qt.labs.settings wrote its file on the UI thread, where a busy disk's
// fdatasync froze the window after every move.
QtObject {
    id: state

    required property var window  // x, y, width, height, minimumWidth, minimumHeight
    required property var panes   // samplingOpen, sidebarWanted

    property bool restored: false

    function restore() {
        const w = window
        const width = AppSettings.windowValue("width", w.width)
        const height = AppSettings.windowValue("height", w.height)
        w.width = Math.max(width, w.minimumWidth)
        w.height = Math.max(height, w.minimumHeight)
        // No place saved: the window system's choice stands.
        const x = AppSettings.windowValue("x", null)
        const y = AppSettings.windowValue("y", null)
        if (x !== null && y !== null) {
            w.x = AppSettings.windowValue("x", 0)
            w.y = AppSettings.windowValue("y", 0)
        }
        panes.samplingOpen = AppSettings.windowValue("samplingOpen", panes.samplingOpen)
        panes.sidebarWanted = AppSettings.windowValue("sidebarOpen", panes.sidebarWanted)
        restored = true
    }

    function save() {
        if (!restored)
            return  // never overwrite what was saved with the defaults of a window not restored yet
        saver.stop()
        AppSettings.setWindowValue("x", window.x)
        AppSettings.setWindowValue("y", window.y)
        AppSettings.setWindowValue("width", window.width)
        AppSettings.setWindowValue("height", window.height)
        AppSettings.setWindowValue("samplingOpen", panes.samplingOpen)
        AppSettings.setWindowValue("sidebarOpen", panes.sidebarWanted)
    }

    property Timer saver: Timer {
        interval: 500
        onTriggered: state.save()
    }

    property Connections windowChanges: Connections {
        target: state.window
        function onXChanged() { state.saver.restart() }
        function onYChanged() { state.saver.restart() }
        function onWidthChanged() { state.saver.restart() }
        function onHeightChanged() { state.saver.restart() }
    }
    property Connections paneChanges: Connections {
        target: state.panes
        function onSamplingOpenChanged() { state.saver.restart() }
        function onSidebarWantedChanged() { state.saver.restart() }
    }

    Component.onDestruction: if (saver.running) save()
}
