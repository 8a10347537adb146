import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import FalconChat.Core
import FalconChat.Ui

// A message's text as segments from MessageFormatter: Markdown prose (made safe: no images,
// no HTML) and code blocks. A user's own message is shown as typed (plain text).
ColumnLayout {
    id: root
    property string text
    property bool plain: false
    signal copyRequested(string code)
    signal linkClicked(string url)
    spacing: Theme.spacing

    Repeater {
        model: root.plain ? [{ kind: "plain", markdown: root.text }] : MessageFormatter.segments(root.text, Theme.dark)
        delegate: Loader {
            required property var modelData
            Layout.fillWidth: true
            sourceComponent: modelData.kind === "code" ? codeComponent : proseComponent
            property var segment: modelData
        }
    }

    Component {
        id: proseComponent
        TextEdit {
            readOnly: true
            selectByMouse: true
            wrapMode: TextEdit.Wrap
            textFormat: parent.segment.kind === "plain" ? TextEdit.PlainText : TextEdit.MarkdownText
            text: parent.segment.markdown
            color: Theme.text
                        selectionColor: Theme.selection
            font.pixelSize: Theme.baseFontSize
            onLinkActivated: (link) => root.linkClicked(link)
            Accessible.role: Accessible.StaticText
            Accessible.name: text
            HoverHandler { cursorShape: parent.hoveredLink.length > 0 ? Qt.PointingHandCursor : Qt.IBeamCursor }
        }
    }

    Component {
        id: codeComponent
        CodeBlock {
            language: parent.segment.language
            code: parent.segment.code
            html: parent.segment.html
            onCopyRequested: (code) => root.copyRequested(code)
        }
    }
}
