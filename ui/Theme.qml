pragma Singleton
import QtQuick
import FalconChat.Core

// Spacing, sizes, type scale and colours shared by every component.
QtObject {
    readonly property int spacing: 8
    readonly property int margin: 12
    readonly property int sidebarWidth: 280
    readonly property int settingsWidth: 340
    // The chat never gets narrower than this because of a side pane: below it, the conversation
    // list and the sampling panel open over the chat instead (PaneArrangement).
    readonly property int chatMinWidth: 420
    readonly property int radius: 8
    readonly property int baseFontSize: AppSettings.fontSize
    // Italic marks (a draft, an empty reply) only where the script has italics: Arabic has none,
    // and common fonts (DejaVu Sans) have no oblique Arabic glyphs, which Qt then draws as boxes.
    readonly property bool italics: !AppSettings.rightToLeft
    readonly property int smallFontSize: Math.round(baseFontSize * 0.85)
    readonly property int titleFontSize: Math.round(baseFontSize * 1.3)
    readonly property string monoFamily: "monospace"
    // Set by Main.qml from the window's actual background, so "follow the system" works too.
    property bool dark: false
    readonly property color text: dark ? "#e8eaed" : "#1f2328"
    readonly property color selection: dark ? "#2f6f68" : "#b2dfdb"
    readonly property color userBubble: dark ? "#24423f" : "#e3f2ef"
    readonly property color codeBackground: dark ? "#1e2430" : "#f4f5f7"
    // The lines of Markdown tables in replies, and the tint behind code spans (ProseStyle).
    readonly property color tableBorder: dark ? "#4f5563" : "#c4c9d2"
    readonly property color codeSpanBackground: dark ? "#2a3140" : "#e8eaee"
    // Links in replies (ProseStyle): Qt's Markdown reader gives them pure blue, 1.5:1 against the
    // dark background (#303030); these are 6.3:1 there and 6.0:1 on the light one (#fafafa).
    readonly property color link: dark ? "#8ab4f8" : "#1a5fb4"
    // Behind a modal dialog and a pane open over the chat: black in both themes. Qt 6.4's Material
    // dims a dark window with a light veil (#99fafafa), which washed the dark theme out.
    readonly property color scrim: dark ? Qt.rgba(0, 0, 0, 0.5) : Qt.rgba(0, 0, 0, 0.32)
    readonly property color subtleText: dark ? "#a7adba" : "#5f6673"
    readonly property color warningText: dark ? "#ffb74d" : "#a15c00"
    readonly property color pinnedColor: "#3f8f88"
    readonly property color evictedColor: dark ? "#5a5f6b" : "#b9bec8"
    readonly property color recentColor: "#26a69a"
}
