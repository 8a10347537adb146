import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import FalconChat.Core
import FalconChat.Ui

// What the app's own choosers show of a folder (ModelFolderBrowser: a model folder;
// FileChooserDialog: files, several at once): the way up and a path that can be typed or pasted,
// the places to start from, the folder's entries (listed off the GUI thread by FolderBrowserModel)
// and a line saying what is wrong or going on. What a click, a double click or Enter does is the
// dialog's business (rowClicked, rowDoubleClicked, activated); with pickFiles the files have a
// check box each, and a row is highlighted when selected rather than when current.
ColumnLayout {
    id: pane
    spacing: Theme.spacing

    property alias browser: lister
    property alias list: list
    property bool pickFiles: false
    // Said under the list when there is no error, listing or cut to say.
    // More places after the usual ones ([{label, path}]).
    property var extraPlaces: []
    property string idleStatus: ""
    property color idleStatusColor: Theme.subtleText

    signal rowClicked(int index, bool isDir, string path, int modifiers)
    signal rowDoubleClicked(int index, bool isDir, string path)
    signal checkToggled(int index)
    signal activated()  // Enter in the list

    // The keyboard goes to the list too (from a place's button, the path field or the way up), so
    // that the arrows, Space, Ctrl+A and Enter work on the folder opened.
    function openFolder(path) {
        list.currentIndex = -1
        lister.open(path)
        list.forceActiveFocus()
    }
    function focusList() {
        list.forceActiveFocus()
    }

    FolderBrowserModel {
        id: lister
        // A new listing shows its top, with nothing current.
        onFolderChanged: {
            list.currentIndex = -1
            list.positionViewAtBeginning()
            pathField.text = folder
        }
    }

    RowLayout {
        Layout.fillWidth: true
        spacing: Theme.spacing
        ToolButton {
            objectName: "folderUpButton"
            text: "\u2191"
            font.pixelSize: Theme.titleFontSize
            enabled: lister.parentFolder.length > 0
            onClicked: pane.openFolder(lister.parentFolder)
            ToolTip.visible: hovered
            ToolTip.text: qsTr("Up one folder (Backspace)")
            Accessible.name: qsTr("Up one folder")
        }
        TextField {
            id: pathField
            objectName: "folderPathField"
            Layout.fillWidth: true
            selectByMouse: true
            placeholderText: qsTr("Type or paste a folder path")
            Accessible.name: qsTr("Folder path")
            // Enter goes to the folder typed; the folder shown stays if it cannot be opened.
            onAccepted: pane.openFolder(text)
        }
    }

    Flow {
        Layout.fillWidth: true
        spacing: Theme.spacing
        Repeater {
            model: lister.places().concat(pane.extraPlaces)
            delegate: Button {
                required property var modelData
                flat: true
                text: modelData.label
                font.pixelSize: Theme.smallFontSize
                onClicked: pane.openFolder(modelData.path)
                ToolTip.visible: hovered
                ToolTip.text: modelData.path
            }
        }
    }

    Rectangle {
        Layout.fillWidth: true
        Layout.fillHeight: true
        color: "transparent"
        border.color: Theme.evictedColor
        radius: 4
        ListView {
            id: list
            objectName: "folderList"
            anchors.fill: parent
            anchors.margins: 1
            clip: true
            model: lister
            currentIndex: -1
            keyNavigationEnabled: true
            boundsBehavior: Flickable.StopAtBounds
            ScrollBar.vertical: ScrollBar {}
            Keys.onReturnPressed: pane.activated()
            Keys.onEnterPressed: pane.activated()
            Keys.onPressed: (event) => {
                if (event.key === Qt.Key_Backspace && lister.parentFolder.length > 0) {
                    pane.openFolder(lister.parentFolder)
                    event.accepted = true
                } else if (pane.pickFiles && event.matches(StandardKey.SelectAll)) {
                    lister.selectAllFiles()
                    event.accepted = true
                }
            }
            delegate: ItemDelegate {
                id: row
                required property int index
                required property string name
                required property string path
                required property bool isDir
                required property string sizeText
                required property bool isModel
                required property bool selected
                width: ListView.view.width
                highlighted: pane.pickFiles ? selected : ListView.isCurrentItem
                Accessible.name: isDir ? (isModel ? qsTr("%1, folder with a model").arg(name) : qsTr("%1, folder").arg(name))
                                       : qsTr("%1, file, %2").arg(name).arg(sizeText)
                Accessible.checkable: pane.pickFiles && !isDir
                Accessible.checked: selected
                // The current row has the keyboard focus (ListView gives it), and Space would
                // click the ItemDelegate, whose clicked() the MouseArea below stands in for: a
                // file's check box toggles, or (the model browser) the row becomes the choice.
                Keys.onSpacePressed: {
                    if (pane.pickFiles) {
                        if (!row.isDir)
                            pane.checkToggled(row.index)
                    } else {
                        pane.rowClicked(row.index, row.isDir, row.path, Qt.NoModifier)
                    }
                }
                // Over the whole row: a click's modifiers (Ctrl, Shift) matter to the file chooser,
                // and ItemDelegate's clicked() does not carry them. A click on the check box
                // toggles that file alone.
                MouseArea {
                    anchors.fill: parent
                    z: 1
                    onClicked: (mouse) => {
                        const p = mapToItem(check, mouse.x, mouse.y)
                        if (check.visible && check.contains(p))
                            pane.checkToggled(row.index)
                        else
                            pane.rowClicked(row.index, row.isDir, row.path, mouse.modifiers)
                    }
                    onDoubleClicked: (mouse) => {
                        if (!check.visible || !check.contains(mapToItem(check, mouse.x, mouse.y)))
                            pane.rowDoubleClicked(row.index, row.isDir, row.path)
                    }
                }
                // The keyboard's place when rows are highlighted by selection instead.
                Rectangle {
                    anchors.fill: parent
                    visible: pane.pickFiles && row.ListView.isCurrentItem && list.activeFocus
                    color: "transparent"
                    border.color: Theme.recentColor
                    border.width: 1
                }
                contentItem: RowLayout {
                    spacing: Theme.spacing
                    CheckBox {  // clicked through the MouseArea above
                        id: check
                        objectName: "fileCheck"
                        visible: pane.pickFiles && !row.isDir
                        checked: row.selected
                        padding: 0
                        focusPolicy: Qt.NoFocus
                        Accessible.name: qsTr("Select %1").arg(row.name)
                    }
                    Label {
                        visible: !pane.pickFiles || row.isDir
                        text: row.isDir ? (row.mirrored ? "\u25C2" : "\u25B8") : " "
                        color: Theme.subtleText
                        Layout.preferredWidth: Theme.baseFontSize
                    }
                    Label {
                        Layout.fillWidth: true
                        text: row.name
                        elide: Text.ElideMiddle
                        // The model browser shows files for orientation only (greyed); the file
                        // chooser's files are what it is for.
                        color: row.isDir || pane.pickFiles ? Theme.text : Theme.subtleText
                        font.bold: row.isDir && row.isModel
                    }
                    Label {
                        visible: row.isModel
                        text: qsTr("model")
                        color: Theme.recentColor
                        font.pixelSize: Theme.smallFontSize
                    }
                    Label {
                        visible: !row.isDir
                        text: row.sizeText
                        color: Theme.subtleText
                        font.pixelSize: Theme.smallFontSize
                    }
                }
            }
            Label {
                anchors.centerIn: parent
                visible: list.count === 0 && !lister.loading
                text: pane.pickFiles && lister.fileSuffixes.length > 0 ? qsTr("No folders or matching files here.")
                                                                      : qsTr("This folder is empty.")
                color: Theme.subtleText
            }
        }
    }

    Label {
        objectName: "folderStatus"
        Layout.fillWidth: true
        wrapMode: Text.Wrap
        text: lister.error.length > 0 ? lister.error
            : lister.loading ? qsTr("Reading the folder…")
            : lister.truncated ? qsTr("Only the first %1 entries are shown; type a path to go further.").arg(lister.maxEntries)
            : pane.idleStatus
        color: lister.error.length > 0 ? "#c62828" : lister.loading || lister.truncated ? Theme.subtleText : pane.idleStatusColor
        visible: text.length > 0
    }
}
