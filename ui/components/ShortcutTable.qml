import QtQuick

// The window's shortcuts from a table of {keys: [...], run: () => ...} rows (Main.qml's, which
// the F1 dialog lists too). The Shortcut objects are made once per row and read their row
// through its index: the table is a new array each time the language changes (its texts are
// translated), and an Instantiator given the new array as its model kept the old Shortcuts
// registered beside the new ones, so every key was ambiguous and none worked until a restart.
Instantiator {
    id: root
    property var table: []
    model: root.table.length
    delegate: Shortcut {
        required property int index
        sequences: root.table[index].keys
        onActivated: root.table[index].run()
    }
}
