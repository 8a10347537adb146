import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import FalconChat.Ui

// The actions under a message: copy, edit (own messages), regenerate and continue (replies),
// delete.
RowLayout {
    id: root
    property bool isUser: false
    property bool busy: false
    property bool canContinue: false
    signal copy()
    signal edit()
    signal regenerate()
    signal continueReply()
    signal remove()
    spacing: 0

    component Action: ToolButton {
        font.pixelSize: Theme.smallFontSize
        Accessible.name: text
        flat: true
    }
    Action { objectName: "copyAction"; text: qsTr("Copy"); onClicked: root.copy() }
    Action { objectName: "editAction"; visible: root.isUser; enabled: !root.busy; text: qsTr("Edit"); onClicked: root.edit() }
    Action { objectName: "regenerateAction"; visible: !root.isUser; enabled: !root.busy; text: qsTr("Regenerate"); onClicked: root.regenerate() }
    Action { objectName: "continueAction"; visible: !root.isUser && root.canContinue; enabled: !root.busy; text: qsTr("Continue"); onClicked: root.continueReply() }
    Action { objectName: "deleteAction"; enabled: !root.busy; text: qsTr("Delete"); onClicked: root.remove() }
}
