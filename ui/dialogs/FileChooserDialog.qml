import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import FalconChat.Core
import FalconChat.Ui

// Choosing files, several at once: the text files to add to a message, the exports to import.
// Qt Quick's non-native FileDialog (what desktops without a native one get, Debian's GNOME and
// Plasma 5 among them) takes one file at a time even when asked for several. Here a click selects
// a file, Ctrl+click adds or removes one, Shift+click a run of them, Ctrl+A all of them, and each
// file has a check box; Space checks the current one, Enter or a double click accepts (on a folder:
// enters it). The folder shown is kept for the next time (the first time: firstFolder).
AppDialog {
    id: root
    objectName: "fileChooser"
    focus: true
    anchors.centerIn: parent
    width: Math.min(parent ? parent.width - 2 * Theme.margin : 600, 640)
    height: Math.min(parent ? parent.height - 2 * Theme.margin : 560, 560)
    padding: Theme.margin

    // The files chosen, in the folder's order.
    signal filesChosen(var paths)

    property alias browser: pane.browser
    property string acceptLabel: qsTr("Open")
    // Where the first open() starts (a folder path); later ones start where the last one was.
    property string firstFolder: ""
    // [{label, suffixes}]: the filter menu's entries, the first one applied at first (suffixes
    // as FolderBrowserModel.fileSuffixes; [] for every file). No menu when empty.
    property var filters: []
    // Places to offer besides the usual ones ([{label, path}]).
    property var extraPlaces: []

    readonly property var list: pane.list
    property int anchorRow: -1  // where Shift+click's run starts
    property string startAt: ""

    // Opens on `folder` this time ("": as open() does).
    function openAt(folder) {
        startAt = folder
        open()
    }

    function accept_() {
        const paths = browser.selectedPaths
        if (paths.length === 0)
            return
        filesChosen(paths)
        close()
    }

    onAboutToShow: {
        anchorRow = -1
        if (filters.length > 0 && filterBox.currentIndex < 0)
            filterBox.currentIndex = 0
        browser.open(startAt.length > 0 ? startAt
                     : browser.folder.length > 0 ? browser.folder : (firstFolder.length > 0 ? firstFolder : "~"))
        startAt = ""
        pane.focusList()
    }

    Connections {
        target: root.browser
        function onFolderChanged() { root.anchorRow = -1 }
    }

    contentItem: ColumnLayout {
        spacing: Theme.spacing

        FolderBrowserPane {
            id: pane
            Layout.fillWidth: true
            Layout.fillHeight: true
            pickFiles: true
            extraPlaces: root.extraPlaces
            onRowClicked: (index, isDir, path, modifiers) => {
                root.list.currentIndex = index
                // Shift: the files from the last one clicked to here (a folder's row only ends
                // the run); a folder clicked alone selects no file.
                if (modifiers & Qt.ShiftModifier) {
                    root.browser.selectRange(root.anchorRow >= 0 ? root.anchorRow : index, index,
                                             (modifiers & Qt.ControlModifier) !== 0)
                } else if (isDir) {
                    root.browser.clearSelection()
                } else {
                    if (modifiers & Qt.ControlModifier)
                        root.browser.toggle(index)
                    else
                        root.browser.select(index)
                    root.anchorRow = index
                }
                pane.focusList()
            }
            onCheckToggled: (index) => {
                root.browser.toggle(index)
                root.anchorRow = index
                root.list.currentIndex = index
                pane.focusList()
            }
            onRowDoubleClicked: (index, isDir, path) => {
                if (isDir) {
                    pane.openFolder(path)
                } else {
                    root.browser.select(index)
                    root.accept_()
                }
            }
            // Enter: into the current folder; else the files selected, or the current file.
            onActivated: {
                const cur = root.list.currentItem
                if (cur && cur.isDir) {
                    pane.openFolder(cur.path)
                    return
                }
                if (root.browser.selectedCount === 0 && cur)
                    root.browser.select(root.list.currentIndex)
                root.accept_()
            }
        }

        RowLayout {
            Layout.fillWidth: true
            spacing: Theme.spacing
            CheckBox {
                text: qsTr("Hidden files")
                checked: root.browser.showHidden
                onToggled: root.browser.showHidden = checked
            }
            Item { Layout.fillWidth: true }
            ComboBox {
                id: filterBox
                objectName: "fileFilterBox"
                visible: root.filters.length > 0
                model: root.filters.map((f) => f.label)
                currentIndex: -1
                implicitContentWidthPolicy: ComboBox.WidestText  // the filter's whole name
                onCurrentIndexChanged: {
                    if (currentIndex >= 0 && currentIndex < root.filters.length)
                        root.browser.fileSuffixes = root.filters[currentIndex].suffixes
                }
                Accessible.name: qsTr("Files shown")
            }
        }

        RowLayout {
            Layout.fillWidth: true
            spacing: Theme.spacing
            // How many are chosen, beside the button (not in its text: Qt 6.4's RowLayout kept a
            // button's first width as its text changed).
            Label {
                objectName: "fileChoiceLabel"
                Layout.fillWidth: true
                horizontalAlignment: Text.AlignRight
                elide: Text.ElideMiddle
                text: root.browser.selectedCount === 1 ? root.nameOf(root.browser.selectedPaths[0])
                    : root.browser.selectedCount > 1 ? qsTr("%n file(s) selected", "", root.browser.selectedCount)
                    : qsTr("No file selected")
                font.bold: root.browser.selectedCount > 0
                color: Theme.subtleText
            }
            Button {
                text: qsTr("Cancel")
                flat: true
                onClicked: root.close()
            }
            Button {
                objectName: "fileAcceptButton"
                highlighted: true
                enabled: root.browser.selectedCount > 0
                text: root.acceptLabel
                onClicked: root.accept_()
            }
        }
    }

    function nameOf(path) {
        return path.substring(path.lastIndexOf("/") + 1)
    }
}
