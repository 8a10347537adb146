pragma Singleton
import QtQuick

// Spacing, sizes and type scale shared by every component.
QtObject {
    readonly property int spacing: 8
    readonly property int margin: 12
    readonly property int sidebarWidth: 280
    readonly property int radius: 8
    property int baseFontSize: 14
    readonly property int smallFontSize: Math.round(baseFontSize * 0.85)
    readonly property int titleFontSize: Math.round(baseFontSize * 1.3)
}
