import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import FalconChat.Core
import FalconChat.Ui

// A message's text as segments from MessageFormatter: Markdown prose (made safe: no images,
// no HTML) and code blocks. A user's own message is shown as typed (plain text), its fenced
// blocks (pasted code, an added file) as code blocks.
ColumnLayout {
    id: root
    property string text
    property bool plain: false
    signal copyRequested(string code)
    signal linkClicked(string url)
    spacing: Theme.spacing

    Repeater {
        objectName: "segments"
        // Only the segments that change are updated (a streaming reply: its last one), the others
        // keep their views: re-creating all of them each frame cost more the longer the reply.
        model: MessageSegments {
            text: root.text
            plain: root.plain
        }
        delegate: Loader {
            required property var segment
            Layout.fillWidth: true
            width: root.width  // at once, not after the layout's pass: see MessageDelegate
            sourceComponent: segment.kind === "code" ? codeComponent : proseComponent
        }
    }

    Component {
        id: proseComponent
        MessageText {
            id: prose
            objectName: "prose"
            // Wrapped only once it has a real width: the layout first gives it 0, and a long
            // paragraph wrapped at 0 is one character a line, each line shaped again from the
            // paragraph's start (a pasted 26,000-character message froze the window for minutes).
            wrapMode: width >= 4 * Theme.baseFontSize ? TextEdit.Wrap : TextEdit.NoWrap
            // A user's message as typed; a reply's Markdown is read by ProseStyle (its
            // `markdown`), in one edit with its styling: the TextEdit's own reader lays a shown
            // text out again for each piece it inserts, each frame of a streaming reply.
            readonly property bool plainText: parent.segment.kind === "plain"
            textFormat: plainText ? TextEdit.PlainText : TextEdit.MarkdownText
            text: plainText ? parent.segment.markdown : ""
            font.pixelSize: Theme.baseFontSize
            onLinkActivated: (link) => root.linkClicked(link)
            // What the view shows (the Markdown's text: no escapes, no formula marks); re-read
            // whenever the document's length changes, the styling pass's changes included.
            Accessible.name: length >= 0 ? getText(0, length) : ""
            HoverHandler { cursorShape: parent.hoveredLink.length > 0 ? Qt.PointingHandCursor : Qt.IBeamCursor }
            // Read and styled as soon as the view is complete, before the frame that shows it.
            Component.onCompleted: proseStyle.apply()
            onTextChanged: if (plainText) proseStyle.apply()
            ProseStyle {  // what Qt 6.4's Markdown leaves undone: tables, list starts, quotes, code spans
                id: proseStyle
                objectName: "proseStyle"
                document: prose.textDocument
                markdown: prose.plainText ? "" : prose.parent.segment.markdown
                border: Theme.tableBorder
                padding: Math.round(Theme.baseFontSize * 0.4)
                listStarts: prose.parent.segment.listStarts || []
                quote: Theme.subtleText
                code: Theme.codeSpanBackground
                link: Theme.link
            }
        }
    }

    Component {
        id: codeComponent
        CodeBlock {
            language: parent.segment.language
            code: parent.segment.code
            shown: parent.segment.shown
            hiddenLines: parent.segment.hiddenLines || 0
            lines: parent.segment.lines || 0
            onCopyRequested: (code) => root.copyRequested(code)
        }
    }
}
