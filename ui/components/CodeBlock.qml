import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import FalconChat.Core
import FalconChat.Ui

// A fenced code block: monospace, syntax-coloured (CodeView writes the highlighter's tokens into
// the text as formats, and of a changed code only the lines from the first that differs), with
// its language and a Copy button that copies the plain code. A long block of a user's message
// comes with its first lines only (`shown`; hiddenLines: how many more): "Show all" colours and
// shows the whole, or, past kColourLines, shows it uncoloured (a 250 KB file of 8,549 lines: 601
// ms to lay out coloured against 116 ms plain offscreen, 1.8 s against under 1 s on screen under
// Xvfb, measured with the HTML of before); "Show less" goes back.
Rectangle {
    id: root
    property string language
    property string code
    property string shown  // the lines shown until "Show all": `code`, or its first lines
    property int hiddenLines: 0
    property int lines: 0
    property bool expanded: false
    readonly property int kColourLines: 2000
    readonly property bool plainView: expanded && lines > kColourLines
    signal copyRequested(string code)

    // A document's text added to a message ("text": prose, a paragraph a line) wraps in the block;
    // code keeps its lines and scrolls sideways.
    readonly property bool prose: codeView.wraps(language)
    component CodeText: MessageText {
        font.family: Theme.monoFamily
        font.pixelSize: Theme.baseFontSize - 1
        Accessible.name: root.code
        // (Only at a width the block has been given: wrapped at none, every character would be a
        // line of its own, and a long document's layout took gigabytes.)
        readonly property bool wraps: root.prose && root.width > 8 * Theme.baseFontSize
        width: wraps ? root.width - 2 * Theme.spacing : implicitWidth
        wrapMode: wraps ? TextEdit.Wrap : TextEdit.NoWrap
    }
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
            id: codeScroll
            Layout.fillWidth: true
            Layout.leftMargin: Theme.spacing
            Layout.rightMargin: Theme.spacing
            Layout.bottomMargin: Theme.spacing
            ScrollBar.horizontal.policy: ScrollBar.AsNeeded
            Column {
                // Two texts, one shown: the coloured code, or the whole code as plain text.
                CodeText {
                    id: colouredText
                    objectName: "codeText"
                    visible: !root.plainView
                    // PlainText: a rich TextEdit reads its (empty) text into the document when
                    // it completes, after CodeView wrote it; the formats show all the same.
                    textFormat: TextEdit.PlainText
                    CodeView {  // writes the text: the TextEdit has none of its own
                        id: codeView
                        document: colouredText.textDocument
                        code: root.plainView ? "" : root.expanded ? root.code : root.shown
                        language: root.language
                        dark: Theme.dark
                    }
                }
                CodeText {
                    objectName: "plainCodeText"
                    visible: root.plainView
                    textFormat: TextEdit.PlainText
                    text: root.plainView ? root.code : ""
                }
            }
        }
        Button {
            objectName: "showAllLinesButton"
            visible: root.hiddenLines > 0
            flat: true
            Layout.leftMargin: Theme.spacing
            Layout.bottomMargin: Theme.spacing / 2
            font.pixelSize: Theme.smallFontSize
            text: root.expanded ? qsTr("Show less") : qsTr("Show all (%Ln more line(s))", "", root.hiddenLines)
            onClicked: root.expanded = !root.expanded
        }
    }
}
