import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import FalconChat.Ui

// One full-text match: the conversation's title and the snippet with the words highlighted.
// The snippet is escaped HTML from SearchResultsModel (only <b> is markup).
ItemDelegate {
    id: root
    required property var conversationId
    required property var messageId
    required property string title
    required property string snippet
    signal activated()
    Accessible.name: title
    Accessible.description: snippetLabel.text
    onClicked: activated()

    contentItem: ColumnLayout {
        spacing: 2
        Label {
            Layout.fillWidth: true
            text: root.title
            font.bold: true
            elide: Text.ElideRight
        }
        Label {
            id: snippetLabel
            Layout.fillWidth: true
            textFormat: Text.StyledText
            text: root.snippet
            wrapMode: Text.Wrap
            maximumLineCount: 3
            elide: Text.ElideRight
            font.pixelSize: Theme.smallFontSize
            color: Theme.subtleText
        }
    }
}
