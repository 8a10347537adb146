import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import FalconChat.Ui

// Editing one of your messages: "Save & resend" makes a new branch, Esc cancels.
ColumnLayout {
    id: root
    property string initialText
    property bool active: false
    signal accepted(string text)
    signal cancelled()
    onActiveChanged: if (active) { area.text = initialText; area.forceActiveFocus() }

    TextArea {
        id: area
        Layout.fillWidth: true
        wrapMode: TextEdit.Wrap
        Accessible.name: qsTr("Edit the message")
        Keys.onEscapePressed: root.cancelled()
    }
    RowLayout {
        Button {
            text: qsTr("Save && resend")
            highlighted: true
            enabled: area.text.trim().length > 0
            Accessible.name: qsTr("Save and resend")
            onClicked: root.accepted(area.text)
        }
        Button { text: qsTr("Cancel"); Accessible.name: text; onClicked: root.cancelled() }
    }
}
