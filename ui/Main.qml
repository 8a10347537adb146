import QtQuick
import QtQuick.Controls
import QtQuick.Controls.Material
import QtQuick.Layouts
import QtQuick.Dialogs
import Qt.labs.settings
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
    Component.onCompleted: chatPage.composer.focusInput()

    Settings {
        category: "window"
        property alias x: window.x
        property alias y: window.y
        property alias width: window.width
        property alias height: window.height
        property alias samplingOpen: panes.samplingOpen
        property alias sidebarOpen: panes.sidebarWanted
    }

    Shortcut { sequence: "Ctrl+N"; onActivated: window.startConversation() }
    Shortcut { sequence: "Ctrl+F"; onActivated: { panes.showSidebar(); sidebar.focusSearch() } }
    Shortcut { sequence: "Ctrl+B"; onActivated: panes.toggleSidebar() }
    Shortcut { sequences: ["Ctrl+,"]; onActivated: settingsDialog.open() }
    Shortcut { sequence: "Ctrl+Shift+C"; onActivated: if (ChatController.copyLastReply()) toast.show(qsTr("Last reply copied")) }
    Shortcut { sequence: "Esc"; enabled: ChatController.busy; onActivated: ChatController.stop() }
    Shortcut { sequence: "Esc"; enabled: !ChatController.busy && panes.anyOverlay; onActivated: panes.closeOverlays() }
    Shortcut { sequence: "Ctrl+O"; onActivated: modelDialog.open() }
    Shortcut { sequence: "Ctrl+Shift+S"; onActivated: panes.samplingOpen = !panes.samplingOpen }
    Shortcut { sequence: StandardKey.Quit; onActivated: Qt.quit() }
    Shortcut { sequence: "Ctrl+R"; onActivated: ChatController.regenerate(ChatController.lastReplyId()) }
    Shortcut { sequences: ["Alt+Up", "Ctrl+PgUp"]; onActivated: ChatController.selectAdjacentConversation(-1) }
    Shortcut { sequences: ["Alt+Down", "Ctrl+PgDown"]; onActivated: ChatController.selectAdjacentConversation(1) }
    Shortcut { sequence: "Alt+Left"; onActivated: ChatController.switchSibling(ChatController.lastReplyId(), -1) }
    Shortcut { sequence: "Alt+Right"; onActivated: ChatController.switchSibling(ChatController.lastReplyId(), 1) }

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
        color: "black"
        opacity: panes.anyOverlay ? 0.32 : 0
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
        onImportRequested: {
            // Starts where exports go: Documents, or the folder of the last export.
            importDialog.currentFolder = "file://" + (exportDialog.lastFolder.length > 0 ? exportDialog.lastFolder
                                                                                         : ChatController.documentsFolder())
            importDialog.open()
        }
        onSearchTextChanged: ChatController.searchQuery = searchText
        onShowArchivedChanged: ChatController.conversations.showArchived = showArchived
        onSearchHitActivated: (conversationId, messageId) => {
            ChatController.openSearchHit(conversationId, messageId)
            panes.closeOverlays()
            chatPage.composer.focusInput()
        }
        onSettingsRequested: settingsDialog.open()
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

    ModelPickerDialog { id: modelDialog }
    SettingsDialog { id: settingsDialog }

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
        title: format === "json" ? qsTr("Export as JSON") : qsTr("Export as Markdown")
        fileMode: FileDialog.SaveFile
        acceptLabel: qsTr("Export")  // Qt's own dialog says "Open" otherwise
        nameFilters: format === "json" ? [qsTr("JSON files (*.json)")] : [qsTr("Markdown files (*.md)")]
        onAccepted: {
            const path = decodeURIComponent(selectedFile.toString().replace(/^file:\/\//, ""))
            lastFolder = path.substring(0, path.lastIndexOf("/"))
            if (ChatController.exportConversation(conversationId, selectedFile, format))
                toast.show(qsTr("Exported"))
        }
    }

    FileDialog {
        id: importDialog
        title: qsTr("Import conversations")
        fileMode: FileDialog.OpenFile
        acceptLabel: qsTr("Import")
        nameFilters: [qsTr("JSON files (*.json)")]
        onAccepted: {
            const n = ChatController.importConversations(selectedFile)
            if (n >= 0) toast.show(qsTr("Imported %n conversation(s)", "", n))
        }
    }

    UndoBar {
        anchors.horizontalCenter: parent.horizontalCenter
        anchors.bottom: parent.bottom
        anchors.bottomMargin: Theme.margin * 6
        visible: ChatController.canUndoDelete
        text: qsTr("Deleted “%1”").arg(ChatController.pendingDeleteTitle)
        onUndo: ChatController.undoDelete()
    }

    Toast { id: toast }

    Connections {
        target: ChatController
        function onErrorOccurred(message) { toast.show(message, true) }
    }
}
