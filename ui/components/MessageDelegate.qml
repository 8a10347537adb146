import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import FalconChat.Core
import FalconChat.Ui

// One message: who wrote it, its content (Markdown prose and code blocks), the ‹ 2/3 ›
// sibling switch, the actions, and under a reply its stats.
Item {
    id: root
    required property var messageId
    required property string role
    required property string text
    required property bool streaming
    required property int siblingIndex
    required property int siblingCount
    required property var tokenCount
    required property var ttftMs
    required property var tokensPerS
    required property string stopReason
    required property string errorText
    required property bool canContinue
    required property var answeredTokens  // of the message this reply answers (undefined: not recorded)
    required property var answeredCut     // ... how many of its first ones the window left out
    required property string replyModel   // the model that wrote this reply ("" where not recorded)
    required property var createdAt       // when it was written (a date; undefined where not recorded)
    property bool busy: false
    property bool editing: false
    // The edited text's length in tokens, for the editor (asked for with editMeasureRequested).
    property real editTokens: -1
    property bool editTooLong: false
    property int windowSize: 0
    readonly property bool isUser: role === "user"
    signal copyRequested(string text)
    signal editRequested(var id, string text)
    signal editMeasureRequested(var id, string text)
    signal regenerateRequested(var id)
    signal continueRequested(var id)
    signal deleteRequested(var id)
    signal siblingRequested(var id, int delta)
    signal linkClicked(string url)
    signal editClosed()  // the editor closed (saved or cancelled): the composer takes the focus back
    // The editRequested handler calls this when the edit was taken; a refused one (no model ready
    // yet) leaves the editor open with the edited text.
    function finishEdit() {
        root.editing = false
        root.editClosed()
    }

    implicitHeight: column.implicitHeight + Theme.spacing

    HoverHandler { id: hover }

    ColumnLayout {
        id: column
        x: Theme.margin
        width: parent.width - 2 * Theme.margin
        spacing: 4

        RowLayout {
            Layout.fillWidth: true
            Label {
                text: root.isUser ? qsTr("You") : qsTr("Falcon")
                font.bold: true
                color: root.isUser ? Theme.subtleText : Theme.recentColor
            }
            // When it was written, while the pointer is over the message: the time today, else the
            // date and time, in the app's language (the full date in the tool tip).
            Label {
                objectName: "sentAt"
                readonly property var locale: Qt.locale(AppSettings.effectiveLanguage)
                readonly property bool known: root.createdAt instanceof Date && !isNaN(root.createdAt.getTime())
                text: !known ? ""
                      : root.createdAt.toDateString() === new Date().toDateString()
                        ? root.createdAt.toLocaleTimeString(locale, Locale.ShortFormat)
                        : root.createdAt.toLocaleString(locale, Locale.ShortFormat)
                visible: known
                opacity: hover.hovered || sentAtTip.hovered ? 1 : 0
                font.pixelSize: Theme.smallFontSize
                color: Theme.subtleText
                HoverHandler { id: sentAtTip }
                ToolTip.visible: sentAtTip.hovered && known
                ToolTip.text: known ? root.createdAt.toLocaleString(locale, Locale.LongFormat) : ""
                ToolTip.delay: 600
            }
            BusyIndicator {
                visible: root.streaming
                running: visible
                Layout.preferredWidth: 20
                Layout.preferredHeight: 20
            }
            Item { Layout.fillWidth: true }
            SiblingNavigator {
                visible: root.siblingCount > 1
                index: root.siblingIndex
                count: root.siblingCount
                enabled: !root.busy
                onStep: (delta) => root.siblingRequested(root.messageId, delta)
            }
        }

        Rectangle {
            Layout.fillWidth: true
            // Also bound, so that the text has its width (and the delegate its height) as soon as
            // it is created, not only after the layout's first pass: the list positions itself by
            // the heights it sees then (see ChatPage's following).
            width: column.width
            implicitHeight: content.implicitHeight + (root.isUser ? 2 * Theme.spacing : 0)
            radius: Theme.radius
            color: root.isUser ? Theme.userBubble : "transparent"
            visible: !root.editing

            MessageContent {
                id: content
                x: root.isUser ? Theme.spacing : 0
                y: root.isUser ? Theme.spacing : 0
                width: parent.width - 2 * x
                text: root.text
                plain: root.isUser
                onCopyRequested: (code) => root.copyRequested(code)
                onLinkClicked: (url) => root.linkClicked(url)
            }
        }

        Label {
            // A reply stopped before its first word would otherwise be an empty gap.
            objectName: "emptyReplyLabel"
            visible: !root.isUser && !root.streaming && !root.editing && root.text.length === 0
                     && root.errorText.length === 0
            text: qsTr("(stopped before any text: Regenerate or Continue)")
            font.italic: Theme.italics
            color: Theme.subtleText
        }

        MessageEditor {
            Layout.fillWidth: true
            visible: root.editing
            active: root.editing
            initialText: root.text
            tokens: root.editTokens
            tooLong: root.editTooLong
            windowSize: root.windowSize
            onTextEdited: (text) => root.editMeasureRequested(root.messageId, text)
            onAccepted: (text) => root.editRequested(root.messageId, text)
            onCancelled: root.finishEdit()
        }

        Label {
            visible: root.errorText.length > 0
            Layout.fillWidth: true
            wrapMode: Text.Wrap
            color: "#c62828"
            text: root.errorText
        }

        Label {
            objectName: "answeredCutNote"
            visible: !root.isUser && !root.streaming && Number(root.answeredCut || 0) > 0
            Layout.fillWidth: true
            wrapMode: Text.Wrap
            font.pixelSize: Theme.smallFontSize
            color: Theme.warningText
            text: qsTr("The model saw only the last %1 of the %2 tokens of the message this answers (longer than the chat's context window).")
                  .arg(Number(root.answeredTokens) - Number(root.answeredCut)).arg(Number(root.answeredTokens))
        }

        ReplyStats {
            objectName: "replyStats"
            // An imported reply has no stop reason, perhaps the model its app recorded.
            visible: !root.isUser && !root.streaming && (root.stopReason.length > 0 || root.replyModel.length > 0)
            tokenCount: root.tokenCount
            ttftMs: root.ttftMs
            tokensPerS: root.tokensPerS
            stopReason: root.stopReason
            model: root.replyModel
        }

        MessageActions {
            opacity: hover.hovered || root.canContinue ? 1 : 0.35
            visible: !root.streaming && !root.editing
            isUser: root.isUser
            busy: root.busy
            canContinue: root.canContinue
            onCopy: root.copyRequested(root.text)
            onEdit: root.editing = true
            onRegenerate: root.regenerateRequested(root.messageId)
            onContinueReply: root.continueRequested(root.messageId)
            onRemove: root.deleteRequested(root.messageId)
        }
    }
}
