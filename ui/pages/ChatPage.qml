import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import FalconChat.Core
import FalconChat.Ui

// One conversation: the system prompt pinned on top, the messages, the context map and the
// composer.
Page {
    id: root
    property alias composer: composer
    signal openModelRequested()
    signal samplingRequested()
    signal sidebarToggleRequested()
    property bool sidebarShown: true
    signal toast(string message)

    // What was typed and not sent stays with its chat (the new, unsaved one included), in the
    // store, so it is still there after a restart: switching chats puts the other chat's draft
    // in the composer. (Sending the first message of a new chat switches too, as the chat is
    // created; the composer is empty by then.)
    property var draftOwner: 0

    // Text files and documents (PDF, Word, OpenDocument) put into the message at the cursor
    // (dropped on the window, or chosen with the composer's + button) once read
    // (onAttachmentsReady); those that cannot be are named in the error toast.
    function attachFiles(paths) {
        ChatController.attachFiles(paths)
    }
    FileChooserDialog {
        id: attachDialog
        objectName: "attachChooser"
        title: qsTr("Add files to the message")
        acceptLabel: qsTr("Add")
        // Documents at first, then wherever the last files came from.
        firstFolder: ChatController.documentsFolder()
        onFilesChosen: (paths) => root.attachFiles(paths)
    }
    Component.onCompleted: {
        draftOwner = ChatController.currentConversationId
        composer.restoreText(ChatController.draft(draftOwner))
    }
    Connections {
        target: ChatController
        function onAttachmentsReady(markdown) {
            composer.insertAttachment(markdown)
        }
        function onCurrentConversationChanged() {
            const id = ChatController.currentConversationId
            if (id === root.draftOwner)
                return
            root.draftOwner = id
            composer.restoreText(ChatController.draft(id))
            // Another chat opens at its end, even one with as many messages as the last (no
            // count change), and follows from there.
            messages.following = true
            follower.settle()
        }
    }

    header: ToolBar {
        RowLayout {
            anchors.fill: parent
            anchors.leftMargin: Theme.spacing
            anchors.rightMargin: Theme.spacing
            ToolButton {
                objectName: "sidebarButton"
                text: "\u2630"  // ☰
                font.pixelSize: Theme.titleFontSize
                Accessible.name: root.sidebarShown ? qsTr("Hide the conversations") : qsTr("Show the conversations")
                ToolTip.visible: hovered
                ToolTip.delay: 600
                ToolTip.text: Accessible.name + " (Ctrl+B)"
                onClicked: root.sidebarToggleRequested()
            }
            Label {
                Layout.fillWidth: true
                text: ChatController.currentTitle
                font.pixelSize: Theme.titleFontSize
                elide: Text.ElideRight
            }
            ModelButton {
                onClicked: root.openModelRequested()
            }
            ToolButton {
                objectName: "samplingButton"
                text: qsTr("Sampling")
                icon.name: "configure"
                Accessible.name: qsTr("Sampling settings of this chat")
                onClicked: root.samplingRequested()
            }
        }
    }

    ColumnLayout {
        anchors.fill: parent
        spacing: 0

        SystemPromptBar {
            Layout.fillWidth: true
            prompt: ChatController.systemPrompt
            presetName: ChatController.currentPreset.length > 0
                        ? ChatController.presets.displayName(ChatController.currentPreset) : ""
            onEdited: (text) => ChatController.systemPrompt = text
            onEditingFinished: composer.focusInput()
            onPresetClicked: root.samplingRequested()
        }

        ListView {
            id: messages
            objectName: "messageList"
            Layout.fillWidth: true
            Layout.fillHeight: true
            clip: true
            model: ChatController.messages
            spacing: Theme.spacing
            topMargin: Theme.margin
            bottomMargin: Theme.margin
            Accessible.name: qsTr("Messages")
            // Dragging the scroll bar moves the view without `moving`: it ends following the
            // same way a flick does, where it is let go.
            ScrollBar.vertical: ScrollBar {
                id: messagesBar
                onPressedChanged: if (!pressed) messages.following = messages.atYEnd
            }
            // Follow a streaming reply while the user is at the bottom; leave them be otherwise.
            property bool following: true
            onMovementEnded: following = atYEnd
            EndFollower {
                id: follower
                view: messages
                busy: ChatController.busy
                held: messagesBar.pressed
            }

            delegate: MessageDelegate {
                width: ListView.view.width
                busy: ChatController.busy
                onCopyRequested: (text) => { ChatController.copyText(text); root.toast(qsTr("Copied")) }
                onEditRequested: (id, text) => { if (ChatController.editAndResend(id, text)) finishEdit() }
                onEditMeasureRequested: (id, text) => ChatController.measureEditor(id, text)
                editTokens: ChatController.editorMessageId === messageId ? ChatController.editorTokens : -1
                editTooLong: ChatController.editorMessageId === messageId && ChatController.editorTooLong
                windowSize: ChatController.sampling.windowSize
                onEditClosed: composer.focusInput()
                onRegenerateRequested: (id) => ChatController.regenerate(id)
                onContinueRequested: (id) => ChatController.continueReply(id)
                onDeleteRequested: (id) => ChatController.deleteMessage(id)
                onSiblingRequested: (id, delta) => ChatController.switchSibling(id, delta)
                onLinkClicked: (url) => { ChatController.copyText(url); root.toast(qsTr("Link copied (links are never opened)")) }
            }

            JumpToLatestButton {
                parent: messages  // over the view, not inside its scrolling content
                view: messages
                streaming: ChatController.busy
                onJumped: composer.focusInput()
            }

            EmptyChatHint {
                parent: messages  // over the view, not inside its scrolling content
                anchors.centerIn: parent
                width: Math.min(parent.width - 4 * Theme.margin, 480)
                visible: messages.count === 0
                modelState: ChatController.modelState
                modelError: ChatController.modelError
                loadProgress: ChatController.loadProgress
                examples: ChatController.modelExamples
                bundled: ChatController.modelBundled
                composerEmpty: composer.text.length === 0
                onOpenModelRequested: root.openModelRequested()
                onExampleChosen: (text) => {
                    if (!ChatController.send(text))
                        composer.restoreText(text)  // refused: in the field, to send when it can be
                    composer.focusInput()
                }
            }
        }

        ContextMapBar {
            Layout.fillWidth: true
            visible: ChatController.currentConversationId !== 0
            pinned: ChatController.contextPinned
            evicted: ChatController.contextEvicted
            recent: ChatController.contextRecent
            windowSize: ChatController.contextWindow
        }

        Composer {
            id: composer
            Layout.fillWidth: true
            busy: ChatController.busy
            tokens: ChatController.composerTokens
            tooLong: ChatController.composerTooLong
            windowSize: ChatController.sampling.windowSize
            onTextChanged: {
                ChatController.setDraft(root.draftOwner, composer.text)
                ChatController.measureComposer(composer.text)
            }
            onSendRequested: (text) => {
                if (!ChatController.send(text))
                    composer.restoreText(text)  // refused (no model yet): keep what was typed
                messages.following = true
            }
            onStopRequested: ChatController.stop()
            onAttachRequested: attachDialog.open()
            attaching: ChatController.attachingFile
            onCancelAttachingRequested: ChatController.cancelAttaching()
        }
    }
}
