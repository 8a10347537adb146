import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import QtQuick.Controls.Material
import FalconChat.Ui

// "Deleted … Undo" after a conversation is deleted; the delete is final when it goes away.
Pane {
    id: root
    property alias text: label.text
    signal undo()
    Material.elevation: 6
    padding: Theme.spacing
    RowLayout {
        spacing: Theme.margin
        Label { id: label; Layout.maximumWidth: 360; elide: Text.ElideRight }
        Button {
            objectName: "undoButton"
            text: qsTr("Undo")
            flat: true
            highlighted: true
            Accessible.name: qsTr("Undo the delete")
            onClicked: root.undo()
        }
    }
}
