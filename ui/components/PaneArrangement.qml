import QtQuick
import FalconChat.Ui

// Where the side panes go at a window width. The conversation list (start side) and the
// sampling panel (end side) sit beside the chat while the chat keeps Theme.chatMinWidth;
// otherwise they open over the chat, which dims behind them, instead of squeezing it to a
// sliver. The sampling panel, opened on purpose, takes the room first.
QtObject {
    property real width: 0
    property bool sidebarWanted: true  // the user's choice for windows wide enough for it
    property bool samplingOpen: false
    property bool sidebarOverlayOpen: false  // the list shown over the chat (narrow windows)

    readonly property bool samplingInline: samplingOpen && width >= Theme.chatMinWidth + Theme.settingsWidth
    readonly property bool samplingOverlay: samplingOpen && !samplingInline
    readonly property bool sidebarFits: width >= Theme.sidebarWidth + Theme.chatMinWidth
                                        + (samplingInline ? Theme.settingsWidth : 0)
    readonly property bool sidebarInline: sidebarWanted && sidebarFits
    readonly property bool sidebarOverlay: sidebarOverlayOpen && !sidebarInline
    readonly property bool sidebarShown: sidebarInline || sidebarOverlay
    readonly property bool anyOverlay: sidebarOverlay || samplingOverlay

    // The toolbar's list button and Ctrl+B: hide or show the inline list where it fits, else
    // open or close it over the chat.
    function toggleSidebar() {
        if (sidebarFits) {
            sidebarWanted = !sidebarWanted
            sidebarOverlayOpen = false
        } else {
            sidebarOverlayOpen = !sidebarOverlayOpen
        }
    }
    // Shows the list wherever it goes (Ctrl+F searches in it).
    function showSidebar() {
        if (sidebarFits)
            sidebarWanted = true
        else
            sidebarOverlayOpen = true
    }
    // After a pick in the list, or a click on the dimmed chat.
    function closeOverlays() {
        sidebarOverlayOpen = false
        if (samplingOverlay)
            samplingOpen = false
    }
}
