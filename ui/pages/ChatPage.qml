import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import FalconChat.Ui

// One conversation: the messages above, the composer below.
Page {
    id: root
    property alias composer: composer

    header: ToolBar {
        Label {
            anchors.verticalCenter: parent.verticalCenter
            x: Theme.margin
            text: qsTr("New conversation")
            font.pixelSize: Theme.titleFontSize
        }
    }

    ColumnLayout {
        anchors.fill: parent
        spacing: 0

        ListView {
            id: messages
            Layout.fillWidth: true
            Layout.fillHeight: true
            clip: true
            model: 0

            Label {
                anchors.centerIn: parent
                visible: messages.count === 0
                opacity: 0.7
                text: qsTr("Ask anything. Everything runs on this computer.")
            }
        }

        Composer {
            id: composer
            Layout.fillWidth: true
        }
    }
}
