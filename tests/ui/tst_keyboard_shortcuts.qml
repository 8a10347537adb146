import QtQuick
import QtTest
import FalconChat.Ui

// KeyboardShortcutsDialog: every row of every group is listed with its keys, written as the
// platform writes them; long descriptions wrap instead of pushing the keys out of the dialog.
TestCase {
    id: test
    name: "KeyboardShortcutsDialog"
    width: 500
    height: 600
    visible: true
    when: windowShown

    Component {
        id: dialogComponent
        KeyboardShortcutsDialog {
            groups: [
                { title: "Anywhere", rows: [
                    { keys: ["Ctrl+N"], text: "New chat" },
                    { keys: ["Alt+Up", "Ctrl+PgUp"], text: "Previous chat" },
                    { keys: ["Ctrl+Shift+C"], text: "A description long enough that it has to wrap onto a second line in a dialog this narrow" }] },
                { title: "In the message field", rows: [
                    { keys: ["Shift+Enter"], text: "New line" }] }
            ]
        }
    }

    function childrenNamed(item, name) {
        let found = []
        for (let i = 0; i < item.children.length; ++i) {
            const c = item.children[i]
            if (c.objectName === name)
                found.push(c)
            found = found.concat(childrenNamed(c, name))
        }
        return found
    }

    function test_lists_every_row_with_its_keys() {
        const dialog = createTemporaryObject(dialogComponent, test)
        dialog.open()
        tryCompare(dialog, "opened", true)
        const rows = childrenNamed(dialog.contentItem, "shortcutRow")
        compare(rows.length, 4)
        const keys = childrenNamed(dialog.contentItem, "shortcutKey").map(k => k.text)
        compare(keys.length, 5)
        // As QKeySequence writes them (English here: no translator is installed).
        verify(keys.indexOf("Ctrl+N") >= 0, keys)
        verify(keys.indexOf("Ctrl+PgUp") >= 0, keys)
        verify(keys.indexOf("Shift+Enter") >= 0, keys)
        for (const row of rows)
            verify(row.x + row.width <= dialog.availableWidth + 1, "a row stays inside the dialog")
        // Each key at the top of its row (centred, they kept a stale place in the app; not seen
        // offscreen, so this guards the alignment rather than reproducing that).
        for (const key of childrenNamed(dialog.contentItem, "shortcutKey")) {
            const row = key.parent.parent
            compare(row.objectName, "shortcutRow")
            compare(key.mapToItem(row, 0, 0).y, 0)
        }
        keyClick(Qt.Key_Escape)
        tryCompare(dialog, "visible", false)
    }
}
