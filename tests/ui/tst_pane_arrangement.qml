import QtQuick
import QtTest
import FalconChat.Ui

// PaneArrangement: the side panes sit beside the chat only while the chat keeps its minimum
// width, and otherwise open over it. Widths are computed here from the Theme's sizes.
TestCase {
    id: test
    name: "PaneArrangement"

    Component {
        id: arrangement
        PaneArrangement {}
    }

    readonly property int side: Theme.sidebarWidth
    readonly property int chat: Theme.chatMinWidth
    readonly property int sampling: Theme.settingsWidth

    // The chat's width when the inline panes take theirs.
    function chatWidth(a) {
        return a.width - (a.sidebarInline ? side : 0) - (a.samplingInline ? sampling : 0)
    }

    function test_chat_never_squeezed_below_its_minimum_data() {
        const rows = []
        for (let w = 640; w <= 1600; w += 20)
            for (const open of [false, true])
                for (const wanted of [false, true])
                    rows.push({ tag: `${w}px sampling ${open} list ${wanted}`, width: w, open: open, wanted: wanted })
        return rows
    }
    function test_chat_never_squeezed_below_its_minimum(data) {
        const a = createTemporaryObject(arrangement, test, { width: data.width, samplingOpen: data.open,
                                                             sidebarWanted: data.wanted })
        verify(chatWidth(a) >= chat, `chat ${chatWidth(a)} px`)
        // Wanted panes that do not fit beside the chat are not lost: the sampling panel goes
        // over the chat, the list behind its button.
        compare(a.samplingInline || a.samplingOverlay, data.open)
        compare(a.sidebarInline, data.wanted && data.width >= side + chat + (a.samplingInline ? sampling : 0))
        compare(a.anyOverlay, a.samplingOverlay)  // the list is not opened over the chat by itself
    }

    function test_default_window_holds_all_three() {
        // 1100 x 720 is the first window's size: the list, the chat and the sampling panel fit.
        const a = createTemporaryObject(arrangement, test, { width: 1100, samplingOpen: true })
        verify(a.sidebarInline && a.samplingInline && !a.anyOverlay)
    }

    function test_toggle_hides_inline_list_or_opens_it_over_a_narrow_chat() {
        const a = createTemporaryObject(arrangement, test, { width: 1100 })
        verify(a.sidebarInline)
        a.toggleSidebar()
        verify(!a.sidebarShown && !a.anyOverlay)
        a.toggleSidebar()
        verify(a.sidebarInline)
        // The window shrinks: the list leaves the row, and the button opens it over the chat.
        a.width = 640
        verify(!a.sidebarShown)
        a.toggleSidebar()
        verify(a.sidebarOverlay && a.anyOverlay)
        a.closeOverlays()  // a conversation picked, or the dimmed chat clicked
        verify(!a.sidebarShown)
        a.showSidebar()  // Ctrl+F
        verify(a.sidebarOverlay)
        // Wide again: the list is back in the row, no overlay left behind.
        a.width = 1200
        verify(a.sidebarInline && !a.anyOverlay)
    }

    function test_closing_overlays_closes_an_overlaid_sampling_panel_only() {
        const a = createTemporaryObject(arrangement, test, { width: 700, samplingOpen: true })
        verify(a.samplingOverlay)
        a.closeOverlays()
        verify(!a.samplingOpen)
        a.width = 1100
        a.samplingOpen = true
        verify(a.samplingInline)
        a.closeOverlays()
        verify(a.samplingOpen)  // beside the chat it stays until closed
    }
}
