import QtQuick
import QtQuick.Controls

// A Menu as wide as its widest item. Qt Quick Controls' menus are a fixed 200 px (Material), which
// cut "Export all conversations…" and longer translations ("Unterhaltungen importieren…") to "…".
Menu {
    id: root
    width: {
        let widest = 0
        for (let i = 0; i < count; ++i) {
            const item = itemAt(i)
            if (item)
                widest = Math.max(widest, item.implicitWidth)
        }
        return Math.max(implicitWidth, widest + leftPadding + rightPadding)
    }
}
