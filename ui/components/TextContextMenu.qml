import QtQuick
import QtQuick.Controls

// A message's text, right-clicked: Copy (the selection) and Select all, as a desktop text view
// offers them; Qt Quick's TextEdit has no menu of its own. In the TextEdit:
//   TapHandler { acceptedButtons: Qt.RightButton; onTapped: menu.popup() }
//   TextContextMenu { id: menu; view: theTextEdit }
FittingMenu {
    id: root
    property Item view  // the TextEdit

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
