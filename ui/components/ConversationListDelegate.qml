import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import FalconChat.Ui

// One conversation in the sidebar: click opens it, double-click (or Rename) edits the title
// in place, the menu pins, archives, exports and deletes.
ItemDelegate {
    id: root
    required property var conversationId
    required property string title
    required property bool pinned
    required property bool archived
    required property string draft  // unsent text left in its message field
    property bool current: false
    property bool editing: false
    signal selected()
    signal renamed(string title)
    signal deleteClicked()
    signal pinClicked()
    signal archiveClicked()
    signal exportClicked(string format)

    highlighted: current
    // Another chat's unsent text is marked, so it is not forgotten (the open chat shows it anyway).
    readonly property bool showDraft: draft.length > 0 && !current && !editing
    Accessible.name: showDraft ? qsTr("%1, unsent draft").arg(title) : title
    onClicked: if (!editing) selected()
    onDoubleClicked: startRename()

    function startRename() {
        editing = true
        editor.text = title
        editor.forceActiveFocus()
        editor.selectAll()
    }
    function finishRename(accept) {
        if (!editing)
            return
        editing = false
        if (accept && editor.text.trim().length > 0 && editor.text !== title)
            renamed(editor.text)
    }

    contentItem: RowLayout {
        spacing: Theme.spacing
        Label {
            visible: root.pinned && !root.editing
            text: "★"
            color: Theme.pinnedColor
            Accessible.name: qsTr("Pinned")
        }
        Label {
            visible: !root.editing
            Layout.fillWidth: true
            text: root.title.length > 0 ? root.title : qsTr("Untitled")
            elide: Text.ElideRight
        }
        Label {
            objectName: "draftMark"
            visible: root.showDraft
            text: qsTr("Draft")
            font.pixelSize: Theme.smallFontSize
            font.italic: Theme.italics
            color: Theme.recentColor
            ToolTip.visible: draftHover.hovered
            ToolTip.delay: 600
            ToolTip.text: root.draft.length > 200 ? root.draft.slice(0, 200) + "…" : root.draft
            HoverHandler { id: draftHover }
        }
        TextField {
            id: editor
            objectName: "renameField"
            visible: root.editing
            Layout.fillWidth: true
            Accessible.name: qsTr("Conversation title")
            selectByMouse: true
            onAccepted: root.finishRename(true)
            onActiveFocusChanged: if (!activeFocus) root.finishRename(true)
            Keys.onEscapePressed: root.finishRename(false)
        }
        ToolButton {
            objectName: "conversationMenuButton"
            visible: !root.editing && (root.hovered || root.current || menu.visible)
            text: "⋯"
            Accessible.name: qsTr("Actions for %1").arg(root.title)
            onClicked: menu.popup()
        }
    }

    FittingMenu {
        id: menu
        MenuItem { text: qsTr("Rename"); onTriggered: root.startRename() }
        MenuItem { text: root.pinned ? qsTr("Unpin") : qsTr("Pin"); onTriggered: root.pinClicked() }
        MenuItem { text: root.archived ? qsTr("Unarchive") : qsTr("Archive"); onTriggered: root.archiveClicked() }
        MenuItem { text: qsTr("Export as Markdown…"); onTriggered: root.exportClicked("markdown") }
        MenuItem { text: qsTr("Export as JSON…"); onTriggered: root.exportClicked("json") }
        MenuSeparator { }
        MenuItem { text: qsTr("Delete"); onTriggered: root.deleteClicked() }
    }
}
