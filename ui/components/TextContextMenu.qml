import QtQuick
import QtQuick.Controls

// A message's text, right-clicked: Copy (the selection) and Select all, as a desktop text view
// offers them; Qt Quick's TextEdit has no menu of its own. MessageText opens it.
// The menu itself is made at the first right click: a chat has a text view per paragraph run
// and code block, and a menu each cost ~1 ms when a chat opened (six code blocks: 15 -> 27 ms).
Loader {
    id: root
    objectName: "textMenu"
    property Item view  // the TextEdit
    active: false

    function popup() {
        active = true
        item.popup()
    }

    sourceComponent: FittingMenu {
        MenuItem {
            objectName: "copyItem"
            text: qsTr("Copy")
            enabled: root.view !== null && root.view.selectedText.length > 0
            onTriggered: root.view.copy()
        }
        MenuItem {
            objectName: "selectAllItem"
            text: qsTr("Select all")
            onTriggered: root.view.selectAll()
        }
    }
}
