import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import FalconChat.Ui

// The list of conversations, with the "New chat" action on top.
Pane {
    id: root
    property alias model: list.model
    signal newConversationRequested()
    padding: Theme.margin

    ColumnLayout {
        anchors.fill: parent
        spacing: Theme.spacing

        Button {
            Layout.fillWidth: true
            text: qsTr("New chat")
            icon.name: "list-add"
            Accessible.name: qsTr("Start a new conversation")
            onClicked: root.newConversationRequested()
        }

        ListView {
            id: list
            Layout.fillWidth: true
            Layout.fillHeight: true
            clip: true
            model: 0
            Accessible.name: qsTr("Conversations")

            Label {
                anchors.centerIn: parent
                width: parent.width - 2 * Theme.margin
                visible: list.count === 0
                horizontalAlignment: Text.AlignHCenter
                wrapMode: Text.WordWrap
                opacity: 0.7
                text: qsTr("No conversations yet.\nStart one with New chat.")
            }
        }
    }
}
