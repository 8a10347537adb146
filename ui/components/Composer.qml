import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import FalconChat.Ui

// The message editor: Enter sends, Shift+Enter adds a line, Esc (or Stop) cancels a reply.
// Beside it, the message's length in tokens; below it, a warning when the message will not fit
// the chat's window. The + button asks for text files to add to the message (attachRequested;
// what they become: ChatController.attachFiles, then insertAttachment).
Pane {
    id: root
    property bool busy: false
    property alias text: input.text
    property real tokens: -1       // the text in the model's tokens; -1: not known (nothing shown)
    property bool tooLong: false   // longer than the window: the model would see only its end
    property int windowSize: 0
    property string attaching: ""  // the document whose text is being read for the message, "" when none
    signal sendRequested(string text)
    signal stopRequested()
    signal attachRequested()
    signal cancelAttachingRequested()
    padding: Theme.spacing

    // Puts the text cursor in the message field: at start, on a new or opened chat.
    function focusInput() {
        input.forceActiveFocus()
    }

    // Puts `text` in the field with the cursor after it, to type on (a draft, a refused message).
    function restoreText(text) {
        input.text = text
        input.cursorPosition = input.length
    }

    // Puts a quoted file (Markdown) where the cursor is, on lines of its own, and the cursor after
    // it: the question about it can be typed next.
    function insertAttachment(markdown) {
        const at = input.cursorPosition
        const before = input.text.slice(0, at)
        const gap = before.length === 0 || before.endsWith("\n\n") ? "" : before.endsWith("\n") ? "\n" : "\n\n"
        const inserted = gap + markdown + "\n\n"
        input.insert(at, inserted)
        input.cursorPosition = at + inserted.length
        input.forceActiveFocus()
    }

    function send() {
        const message = input.text.trim()
        // (Not while a document is read: its text is on its way into this message.)
        if (message.length === 0 || root.busy || root.attaching.length > 0)
            return
        input.clear()  // first: a handler that refuses the message may put it back
        root.sendRequested(message)
    }

    ColumnLayout {
        anchors.fill: parent
        spacing: Theme.spacing / 2

        RowLayout {
            Layout.fillWidth: true
            spacing: Theme.spacing

            ToolButton {
                objectName: "attachButton"
                text: "+"
                font.pixelSize: Theme.baseFontSize * 1.4
                Accessible.name: qsTr("Add text files or documents (PDF, Word, OpenDocument) to the message")
                ToolTip.text: qsTr("Add text files or documents (PDF, Word, OpenDocument) to the message (or drop them on the window)")
                ToolTip.visible: hovered && !pressed
                ToolTip.delay: 600
                onClicked: root.attachRequested()
            }

            ScrollView {
                Layout.fillWidth: true
                Layout.maximumHeight: 200
                TextArea {
                    id: input
                    objectName: "composerInput"
                    placeholderText: qsTr("Type a message… (Enter sends, Shift+Enter for a new line)")
                    wrapMode: TextEdit.Wrap
                    font.pixelSize: Theme.baseFontSize
                    Accessible.name: qsTr("Message")
                    Keys.onPressed: (event) => {
                        if (TextKeys.submits(event)) {
                            event.accepted = true
                            root.send()
                        } else if (event.key === Qt.Key_Escape && root.busy) {
                            event.accepted = true
                            root.stopRequested()
                        } else if (event.key === Qt.Key_Tab || event.key === Qt.Key_Backtab) {
                            // Tab leaves the field (to Send and on), as in other chat apps, instead of
                            // typing a tab: the keyboard must be able to get out. Pasted tabs stay.
                            event.accepted = true
                            const next = input.nextItemInFocusChain(event.key === Qt.Key_Tab)
                            if (next)
                                next.forceActiveFocus(event.key === Qt.Key_Tab ? Qt.TabFocusReason : Qt.BacktabFocusReason)
                        }
                    }
                }
            }

            TokenCount {
                objectName: "tokenCount"
                tokens: root.tokens
                tooLong: root.tooLong
                hasText: input.text.trim().length > 0
            }

            Button {
                objectName: "sendButton"
                text: root.busy ? qsTr("Stop") : qsTr("Send")
                highlighted: !root.busy
                enabled: root.busy || (input.text.trim().length > 0 && root.attaching.length === 0)
                Accessible.name: root.busy ? qsTr("Stop the reply") : qsTr("Send the message")
                onClicked: root.busy ? root.stopRequested() : root.send()
            }
        }

        // A document's text is read in a process of its own; the window goes on meanwhile.
        RowLayout {
            objectName: "attachingRow"
            visible: root.attaching.length > 0
            Layout.fillWidth: true
            spacing: Theme.spacing
            BusyIndicator {
                running: parent.visible
                Layout.preferredWidth: Theme.baseFontSize * 1.6
                Layout.preferredHeight: Theme.baseFontSize * 1.6
            }
            Label {
                objectName: "attachingLabel"
                Layout.fillWidth: true
                elide: Text.ElideMiddle
                // The name in a directional isolate: a Latin name must not turn an Arabic line around.
                text: qsTr("Reading the text of %1…").arg("\u2068" + root.attaching + "\u2069")
                color: Theme.subtleText
                font.pixelSize: Theme.smallFontSize
            }
            Button {
                objectName: "cancelAttachingButton"
                text: qsTr("Cancel")
                flat: true
                Accessible.name: qsTr("Stop reading the document")
                onClicked: root.cancelAttachingRequested()
            }
        }

        WindowWarning {
            objectName: "tooLongWarning"
            visible: root.tooLong && root.tokens >= 0 && input.text.trim().length > 0
            windowSize: root.windowSize
        }
    }
}
