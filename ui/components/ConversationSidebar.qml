import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import FalconChat.Ui

// The list of conversations grouped by date, with New chat, search and the archive switch.
// While the search field holds text, full-text results (highlighted snippets) replace the list.
Pane {
    id: root
    property var conversationModel: null
    property var searchModel: null
    property var currentId: 0
    // The open chat stays in sight: chosen with Alt+Up/Down past the edge, or an imported one
    // far down the list.
    onCurrentIdChanged: Qt.callLater(root.showCurrent)
    function showCurrent() {
        const row = conversationModel && conversationModel.rowOfId ? conversationModel.rowOfId(currentId) : -1
        if (row >= 0)
            list.positionViewAtIndex(row, ListView.Contain)
    }
    property alias searchText: searchField.text
    property alias showArchived: archivedSwitch.checked
    signal newConversationRequested()
    signal selectRequested(var id)
    signal renameRequested(var id, string title)
    signal deleteRequested(var id)
    signal pinRequested(var id, bool pinned)
    signal archiveRequested(var id, bool archived)
    signal exportRequested(var id, string format)
    signal importRequested()
    signal searchHitActivated(var conversationId, var messageId)
    signal settingsRequested()
    signal shortcutsRequested()
    padding: Theme.margin

    function openChosenHit() {
        const hit = results.itemAtIndex(Math.max(0, results.currentIndex))
        if (hit)
            root.searchHitActivated(hit.conversationId, hit.messageId)
    }

    function focusSearch() {
        searchField.forceActiveFocus()
        searchField.selectAll()
    }

    ColumnLayout {
        anchors.fill: parent
        spacing: Theme.spacing

        RowLayout {
            Layout.fillWidth: true
            Button {
                objectName: "newChatButton"
                Layout.fillWidth: true
                text: qsTr("New chat")
                icon.name: "list-add"
                Accessible.name: qsTr("Start a new conversation")
                ToolTip.text: qsTr("New chat (Ctrl+N)")
                ToolTip.visible: hovered
                ToolTip.delay: 600
                onClicked: root.newConversationRequested()
            }
            ToolButton {
                text: "⋮"
                Accessible.name: qsTr("More actions")
                onClicked: moreMenu.open()
                FittingMenu {
                    id: moreMenu
                    MenuItem { text: qsTr("Import conversations…"); onTriggered: root.importRequested() }
                    MenuItem {
                        objectName: "exportAllItem"
                        text: qsTr("Export all conversations…")
                        onTriggered: root.exportRequested(0, "json")
                    }
                    MenuItem { text: qsTr("Settings…"); onTriggered: root.settingsRequested() }
                    MenuItem { text: qsTr("Keyboard shortcuts"); onTriggered: root.shortcutsRequested() }
                }
            }
        }

        TextField {
            id: searchField
            objectName: "searchField"
            Layout.fillWidth: true
            placeholderText: qsTr("Search all chats (Ctrl+F)")
            Accessible.name: qsTr("Search all conversations")
            selectByMouse: true
            // The keyboard walks the results without leaving the field: Up/Down choose, Enter opens.
            Keys.onEscapePressed: text = ""
            Keys.onDownPressed: results.incrementCurrentIndex()
            Keys.onUpPressed: results.decrementCurrentIndex()
            Keys.onReturnPressed: root.openChosenHit()
            Keys.onEnterPressed: root.openChosenHit()
            onTextChanged: results.currentIndex = 0
        }

        Switch {
            id: archivedSwitch
            objectName: "archivedSwitch"
            visible: searchField.text.length === 0
            text: qsTr("Show archived")
            Accessible.name: qsTr("Show archived conversations")
        }

        ListView {
            id: list
            objectName: "conversationList"
            visible: searchField.text.length === 0
            Layout.fillWidth: true
            Layout.fillHeight: true
            clip: true
            model: root.conversationModel
            Accessible.name: qsTr("Conversations")
            section.property: "section"
            section.criteria: ViewSection.FullString
            section.delegate: Label {
                required property string section
                text: section
                topPadding: Theme.spacing
                bottomPadding: 2
                leftPadding: Theme.spacing
                font.pixelSize: Theme.smallFontSize
                font.bold: true
                color: Theme.subtleText
            }
            delegate: ConversationListDelegate {
                width: ListView.view.width
                current: conversationId === root.currentId
                onSelected: root.selectRequested(conversationId)
                onRenamed: (title) => root.renameRequested(conversationId, title)
                onDeleteClicked: root.deleteRequested(conversationId)
                onPinClicked: root.pinRequested(conversationId, !pinned)
                onArchiveClicked: root.archiveRequested(conversationId, !archived)
                onExportClicked: (format) => root.exportRequested(conversationId, format)
            }

            Label {
                parent: list
                anchors.centerIn: parent
                width: parent.width - 2 * Theme.margin
                visible: list.count === 0
                horizontalAlignment: Text.AlignHCenter
                wrapMode: Text.WordWrap
                opacity: 0.7
                text: root.showArchived ? qsTr("No archived conversations.")
                                        : qsTr("No conversations yet.\nStart one with New chat.")
            }
        }

        ListView {
            id: results
            objectName: "searchResults"
            visible: searchField.text.length > 0
            Layout.fillWidth: true
            Layout.fillHeight: true
            clip: true
            model: root.searchModel
            Accessible.name: qsTr("Search results")
            delegate: SearchResultDelegate {
                width: ListView.view.width
                highlighted: ListView.isCurrentItem && searchField.activeFocus
                onActivated: root.searchHitActivated(conversationId, messageId)
            }
            Label {
                parent: results
                anchors.centerIn: parent
                visible: results.count === 0
                opacity: 0.7
                text: qsTr("No matches")
            }
        }
    }
}
