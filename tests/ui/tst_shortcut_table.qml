import QtQuick
import QtTest
import FalconChat.Ui

// ShortcutTable: the window's shortcuts keep working when their table is made again, as it is
// on every change of language (its texts are translated): with the table as an Instantiator's
// model, the old Shortcuts stayed registered beside the new ones and no key worked any more.
TestCase {
    id: test
    name: "ShortcutTable"
    width: 300
    height: 200
    visible: true
    when: windowShown

    property int language: 0
    property var fired: []
    // As Main.qml's: a new array whenever a text changes.
    property var table: [
        { keys: ["Ctrl+N"], text: "New chat " + language, run: () => test.fired.push("new" + test.language) },
        { keys: ["F1", "Ctrl+/"], text: "Help " + language, run: () => test.fired.push("help" + test.language) }
    ]

    ShortcutTable { id: shortcuts; table: test.table }

    function test_the_keys_work_after_the_table_is_made_again() {
        compare(shortcuts.count, 2)
        const objects = [shortcuts.objectAt(0), shortcuts.objectAt(1)]
        for (let language = 0; language < 3; ++language) {
            test.language = language
            test.fired = []
            keyClick(Qt.Key_N, Qt.ControlModifier)
            keyClick(Qt.Key_F1)
            keyClick(Qt.Key_Slash, Qt.ControlModifier)
            compare(test.fired, ["new" + language, "help" + language, "help" + language])
            // The same Shortcut objects: none made again, none left behind.
            compare(shortcuts.count, 2)
            verify(shortcuts.objectAt(0) === objects[0] && shortcuts.objectAt(1) === objects[1])
        }
    }
}
