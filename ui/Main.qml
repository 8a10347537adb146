import QtQuick
import QtQuick.Controls
import QtQuick.Controls.Material
import QtQuick.Layouts
import QtQuick.Dialogs
import FalconChat.Core
import FalconChat.Ui

ApplicationWindow {
    id: window
    width: 1100
    height: 720
    minimumWidth: 640
    minimumHeight: 420
    visible: true
    title: ChatController.currentConversationId !== 0
           ? qsTr("%1 — Falcon Chat").arg(ChatController.currentTitle) : qsTr("Falcon Chat")
    Material.theme: AppSettings.theme === 1 ? Material.Light : AppSettings.theme === 2 ? Material.Dark : Material.System
    Material.accent: Material.Teal
    font.pixelSize: Theme.baseFontSize

    // Right-to-left languages mirror the whole layout.
    LayoutMirroring.enabled: AppSettings.rightToLeft
    LayoutMirroring.childrenInherit: true

    Binding { target: Theme; property: "dark"; value: window.color.hslLightness < 0.5 }

    // The text cursor waits in the message field when the window opens and after a new chat
    // starts or one is opened, as in other chat apps: typing goes straight into it.
    function startConversation() {
        ChatController.newConversation()
        panes.closeOverlays()
        chatPage.composer.focusInput()
    }

    PaneArrangement {
        id: panes
        width: window.width
    }
    Component.onCompleted: {
        windowState.restore()
        chatPage.composer.focusInput()
    }

    WindowState {
        id: windowState
        window: window
        panes: panes
    }

    // Every window-wide shortcut and what it does, in one table: the Shortcut objects below and
    // the keyboard shortcuts dialog (F1) are both made from it, so the dialog cannot miss one.
    readonly property var shortcutTable: [
        { keys: ["Ctrl+N"], text: qsTr("New chat"), run: () => window.startConversation() },
        { keys: ["Ctrl+F"], text: qsTr("Search all chats"), run: () => { panes.showSidebar(); sidebar.focusSearch() } },
        { keys: ["Alt+Up", "Ctrl+PgUp"], text: qsTr("Previous chat in the list"),
          run: () => ChatController.selectAdjacentConversation(-1) },
        { keys: ["Alt+Down", "Ctrl+PgDown"], text: qsTr("Next chat in the list"),
          run: () => ChatController.selectAdjacentConversation(1) },
        { keys: ["Ctrl+R"], text: qsTr("Regenerate the last reply"),
          run: () => ChatController.regenerate(ChatController.lastReplyId()) },
        { keys: ["Alt+Left"], text: qsTr("Previous version of the last reply"),
          run: () => ChatController.switchSibling(ChatController.lastReplyId(), -1) },
        { keys: ["Alt+Right"], text: qsTr("Next version of the last reply"),
          run: () => ChatController.switchSibling(ChatController.lastReplyId(), 1) },
        { keys: ["Ctrl+Shift+C"], text: qsTr("Copy the last reply"),
          run: () => { if (ChatController.copyLastReply()) toast.show(qsTr("Last reply copied")) } },
        { keys: ["Ctrl+B"], text: qsTr("Show or hide the conversation list"), run: () => panes.toggleSidebar() },
        { keys: ["Ctrl+Shift+S"], text: qsTr("Show or hide the sampling settings"),
          run: () => panes.samplingOpen = !panes.samplingOpen },
        { keys: ["Ctrl+O"], text: qsTr("Open a model"), run: () => modelDialog.open() },
        { keys: ["Ctrl++", "Ctrl+="], text: qsTr("Larger text"), run: () => AppSettings.zoom(1) },
        { keys: ["Ctrl+-"], text: qsTr("Smaller text"), run: () => AppSettings.zoom(-1) },
        { keys: ["Ctrl+0"], text: qsTr("Text size back to normal"), run: () => AppSettings.zoom(0) },
        { keys: ["Ctrl+,"], text: qsTr("Settings"), run: () => settingsDialog.open() },
        { keys: ["F1", "Ctrl+/"], text: qsTr("Keyboard shortcuts"), run: () => shortcutsDialog.open() },
        { keys: ["Ctrl+Q"], text: qsTr("Quit"), run: () => Qt.quit() }
    ]
    ShortcutTable { table: window.shortcutTable }
    // Esc does what fits the moment, so it is not in the table (the dialog lists it apart).
    Shortcut { sequence: "Esc"; enabled: ChatController.busy; onActivated: ChatController.stop() }
    Shortcut { sequence: "Esc"; enabled: !ChatController.busy && panes.anyOverlay; onActivated: panes.closeOverlays() }

    // The chat, with room kept beside it for the side panes that fit (PaneArrangement); panes
    // that do not fit open over the chat, which dims behind them.
    RowLayout {
        anchors.fill: parent
        spacing: 0
        LayoutMirroring.enabled: AppSettings.rightToLeft
        LayoutMirroring.childrenInherit: true

        Item {
            visible: panes.sidebarInline
            Layout.preferredWidth: Theme.sidebarWidth
            Layout.fillHeight: true
        }

        ChatPage {
            id: chatPage
            Layout.fillWidth: true
            Layout.fillHeight: true
            sidebarShown: panes.sidebarShown
            onOpenModelRequested: modelDialog.open()
            onSamplingRequested: panes.samplingOpen = !panes.samplingOpen
            onSidebarToggleRequested: panes.toggleSidebar()
            onToast: (message) => toast.show(message)
        }

        Item {
            visible: panes.samplingInline
            Layout.preferredWidth: Theme.settingsWidth
            Layout.fillHeight: true
        }
    }

    Rectangle {
        objectName: "overlayScrim"
        anchors.fill: parent
        color: Theme.scrim
        opacity: panes.anyOverlay ? 1 : 0
        visible: opacity > 0
        Behavior on opacity { NumberAnimation { duration: 120 } }
        MouseArea {
            anchors.fill: parent
            onClicked: panes.closeOverlays()
        }
    }

    ConversationSidebar {
        id: sidebar
        anchors.top: parent.top
        anchors.bottom: parent.bottom
        anchors.left: parent.left
        width: Theme.sidebarWidth
        visible: panes.sidebarShown
        conversationModel: ChatController.conversations
        searchModel: ChatController.searchResults
        currentId: ChatController.currentConversationId
        onNewConversationRequested: window.startConversation()
        onSelectRequested: (id) => {
            ChatController.selectConversation(id)
            panes.closeOverlays()
            chatPage.composer.focusInput()
        }
        onRenameRequested: (id, title) => ChatController.renameConversation(id, title)
        onDeleteRequested: (id) => ChatController.deleteConversation(id)
        onPinRequested: (id, pinned) => ChatController.setPinned(id, pinned)
        onArchiveRequested: (id, archived) => ChatController.setArchived(id, archived)
        onExportRequested: (id, format) => exportDialog.ask(id, format)
        // Starts where exports go: the folder of the last export, else where the last import
        // was chosen (the first time: Documents); other apps' chat folders are places.
        onImportRequested: {
            importDialog.extraPlaces = ChatController.importPlaces()  // LM Studio's chats, where they are
            importDialog.openAt(exportDialog.lastFolder)
        }
        onSearchTextChanged: ChatController.searchQuery = searchText
        onShowArchivedChanged: ChatController.conversations.showArchived = showArchived
        onSearchHitActivated: (conversationId, messageId) => {
            ChatController.openSearchHit(conversationId, messageId)
            panes.closeOverlays()
            chatPage.composer.focusInput()
        }
        onSettingsRequested: settingsDialog.open()
        onShortcutsRequested: shortcutsDialog.open()
    }

    SamplingSettingsPage {
        id: samplingDrawer
        anchors.top: parent.top
        anchors.bottom: parent.bottom
        anchors.right: parent.right
        width: Theme.settingsWidth
        visible: panes.samplingOpen
        config: ChatController.sampling
        presets: ChatController.presets
        currentPreset: ChatController.currentPreset
        onCloseRequested: panes.samplingOpen = false
        onApplyPresetRequested: (name) => ChatController.applyPreset(name)
        onSavePresetRequested: (name) => { if (ChatController.savePreset(name)) toast.show(qsTr("Preset saved")) }
        onDeletePresetRequested: (name) => { if (ChatController.deletePreset(name)) toast.show(qsTr("Preset deleted")) }
    }

    footer: StatusBar {
        LayoutMirroring.enabled: AppSettings.rightToLeft
        LayoutMirroring.childrenInherit: true
    }

    ModelPickerDialog {
        id: modelDialog
        objectName: "modelDialog"
    }
    // Files dragged from the file manager onto the window: a conversations export (.json) is
    // imported, other files go into the message (text files; the rest are refused by name), and
    // a model folder (or a file of one) opens the model dialog on it. Below everything else: the
    // message fields take text dropped on them.
    WindowDropArea {
        z: -1
        anchors.fill: parent
        onPathsDropped: (paths) => {
            // Exports are imported and files put into the message, all of them; with neither, the
            // first model folder (or file of one) opens the model dialog.
            const kinds = paths.map((p) => ChatController.dropKind(p))
            const exports = paths.filter((p, i) => kinds[i] === "conversations")
            const texts = paths.filter((p, i) => kinds[i] === "text")
            if (exports.length > 0)
                ChatController.importConversations(exports.map((p) => ChatController.fileUrl(p)))
            if (texts.length > 0)
                chatPage.attachFiles(texts)
            if (exports.length === 0 && texts.length === 0)
                modelDialog.openAt(paths[0])
        }
    }
    SettingsDialog { id: settingsDialog }
    KeyboardShortcutsDialog {
        id: shortcutsDialog
        groups: [
            { title: qsTr("Anywhere"), rows: window.shortcutTable.concat([
                { keys: ["Esc"], text: qsTr("Stop the reply, or close a list or panel over the chat") }]) },
            { title: qsTr("In the message field"), rows: [
                { keys: ["Enter"], text: qsTr("Send") },
                { keys: ["Shift+Enter"], text: qsTr("New line") },
                { keys: ["Tab"], text: qsTr("Leave the field") }] },
            { title: qsTr("In the search results"), rows: [
                { keys: ["Up", "Down"], text: qsTr("Choose a result") },
                { keys: ["Enter"], text: qsTr("Open it") }] }
        ]
    }

    FileDialog {
        id: exportDialog
        property var conversationId: 0
        property string format: "markdown"
        function ask(id, fmt) {
            conversationId = id
            format = fmt
            // Proposes the chat's title as the file name, in Documents (or where the last export went).
            const suggested = ChatController.suggestedExportFile(id, fmt, lastFolder)
            currentFolder = suggested.toString().substring(0, suggested.toString().lastIndexOf("/"))
            selectedFile = suggested
            open()
        }
        property string lastFolder: ""
        title: conversationId === 0 ? qsTr("Export all conversations")
                                    : format === "json" ? qsTr("Export as JSON") : qsTr("Export as Markdown")
        fileMode: FileDialog.SaveFile
        acceptLabel: qsTr("Export")  // Qt's own dialog says "Open" otherwise
        nameFilters: format === "json" ? [qsTr("JSON files (*.json)")] : [qsTr("Markdown files (*.md)")]
        onAccepted: {
            const path = ChatController.localPath(selectedFile)
            lastFolder = path.substring(0, path.lastIndexOf("/"))
            ChatController.exportConversation(conversationId, selectedFile, format)
        }
    }

    FileChooserDialog {
        id: importDialog
        objectName: "importChooser"
        title: qsTr("Import conversations")
        acceptLabel: qsTr("Import")
        firstFolder: ChatController.documentsFolder()
        filters: [{ label: qsTr("Chat exports (*.json)"), suffixes: ["json"] },
                  { label: qsTr("All files"), suffixes: [] }]
        onFilesChosen: (paths) => ChatController.importConversations(paths.map((p) => ChatController.fileUrl(p)))
    }

    UndoBar {
        id: undoBar
        anchors.horizontalCenter: parent.horizontalCenter
        anchors.bottom: parent.bottom
        anchors.bottomMargin: Theme.margin * 6
        visible: ChatController.canUndoDelete
        text: qsTr("Deleted “%1”").arg(ChatController.pendingDeleteTitle)
        onUndo: ChatController.undoDelete()
    }

    TransferBar {
        objectName: "transferBar"
        anchors.horizontalCenter: parent.horizontalCenter
        anchors.bottom: parent.bottom
        // Above the undo bar while that is shown (a delete during an import).
        anchors.bottomMargin: Theme.margin * 6 + (undoBar.visible ? undoBar.height + Theme.spacing : 0)
        transfer: ChatController.transfer
    }

    Toast { id: toast }

    Connections {
        target: ChatController
        function onErrorOccurred(message) { toast.show(message, true) }
        function onExported(path) {
            toast.show(qsTr("Exported to %1").arg(path.substring(path.lastIndexOf("/") + 1)))
        }
        function onConversationsImported(count, cancelled) {
            if (!cancelled)
                toast.show(qsTr("Imported %Ln conversation(s)", "", count))
            else if (count > 0)
                toast.show(qsTr("Import cancelled after %Ln conversation(s)", "", count))
            else
                toast.show(qsTr("Import cancelled: nothing was imported"))
        }
    }
}
