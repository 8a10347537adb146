import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import FalconChat.Ui

// A fenced code block: monospace, syntax-coloured (escaped HTML from MessageFormatter), with
// its language and a Copy button that copies the plain code.
Rectangle {
    id: root
    property string language
    property string code
    property string html
    signal copyRequested(string code)
    implicitHeight: layout.implicitHeight
    radius: Theme.radius
    color: Theme.codeBackground

    ColumnLayout {
        id: layout
        width: parent.width
        spacing: 0
        RowLayout {
            Layout.fillWidth: true
            Layout.leftMargin: Theme.spacing
            Label {
                Layout.fillWidth: true
                text: root.language.length > 0 ? root.language : qsTr("code")
                font.pixelSize: Theme.smallFontSize
                color: Theme.subtleText
            }
            ToolButton {
                objectName: "copyCodeButton"
                text: qsTr("Copy")
                font.pixelSize: Theme.smallFontSize
                Accessible.name: qsTr("Copy the code")
                onClicked: root.copyRequested(root.code)
            }
        }
        ScrollView {
            Layout.fillWidth: true
            Layout.leftMargin: Theme.spacing
            Layout.rightMargin: Theme.spacing
            Layout.bottomMargin: Theme.spacing
            ScrollBar.horizontal.policy: ScrollBar.AsNeeded
            TextEdit {
                readOnly: true
                selectByMouse: true
                textFormat: TextEdit.RichText
                text: root.html
                font.family: Theme.monoFamily
                font.pixelSize: Theme.baseFontSize - 1
                color: Theme.text
                selectionColor: Theme.selection
                Accessible.role: Accessible.StaticText
                Accessible.name: root.code
            }
        }
    }
}
