import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import FalconChat.Core
import FalconChat.Ui

// Choosing a model folder. Qt Quick's FolderDialog chooses only a folder selected inside the one
// shown, so in a checkpoint's own folder (which has no subfolders) its Choose stayed disabled.
// Here Choose takes the selected folder, or else the folder shown; the files are listed too (the
// config.json and *.safetensors say "this is the model"), folders holding a config.json are
// marked, and a path can be typed or pasted (FolderBrowserPane, shared with FileChooserDialog).
AppDialog {
    id: root
    objectName: "modelFolderBrowser"
    title: qsTr("Choose a model folder")
    focus: true
    anchors.centerIn: parent
    width: Math.min(parent ? parent.width - 2 * Theme.margin : 600, 640)
    height: Math.min(parent ? parent.height - 2 * Theme.margin : 560, 560)
    padding: Theme.margin

    signal chosen(string path)

    property alias browser: pane.browser
    // Where the next open() starts: a folder path (set by the caller before opening).
    property string startFolder: ""

    // What Choose takes: the selected folder, else the folder shown.
    readonly property var list: pane.list
    readonly property bool rowSelected: list.currentIndex >= 0 && list.currentItem !== null && list.currentItem.isDir
    readonly property string choice: rowSelected ? list.currentItem.path : browser.folder
    function nameOf(path) {
        const cut = path.replace(/\/+$/, "")
        return cut.length === 0 ? "/" : cut.substring(cut.lastIndexOf("/") + 1)
    }
    function choose() {
        if (choice.length === 0)
            return
        chosen(choice)
        close()
    }

    onAboutToShow: {
        browser.open(startFolder.length > 0 ? startFolder : (browser.folder.length > 0 ? browser.folder : "~"))
        pane.focusList()
    }

    contentItem: ColumnLayout {
        spacing: Theme.spacing

        FolderBrowserPane {
            id: pane
            Layout.fillWidth: true
            Layout.fillHeight: true
            idleStatus: browser.holdsModel ? qsTr("This folder holds a model (config.json).") : ""
            idleStatusColor: Theme.recentColor
            // Files are shown, not chosen: a click on one clears the selection.
            onRowClicked: (index, isDir) => root.list.currentIndex = isDir ? index : -1
            onRowDoubleClicked: (index, isDir, path) => { if (isDir) pane.openFolder(path) }
            // Enter opens the selected folder, or with none selected chooses the one shown.
            onActivated: {
                if (root.rowSelected)
                    pane.openFolder(list.currentItem.path)
                else
                    root.choose()
            }
        }

        RowLayout {
            Layout.fillWidth: true
            spacing: Theme.spacing
            CheckBox {
                text: qsTr("Hidden folders")
                checked: browser.showHidden
                onToggled: browser.showHidden = checked
            }
            // What Choose takes, named beside it. (Not in the button's own text: Qt 6.4's RowLayout
            // kept the button's first width as its text changed, cutting the name short.)
            Label {
                objectName: "folderChoiceLabel"
                Layout.fillWidth: true
                horizontalAlignment: Text.AlignRight
                elide: Text.ElideMiddle
                text: root.choice.length > 0 ? root.nameOf(root.choice) : ""
                font.bold: true
                color: Theme.subtleText
            }
            Button {
                text: qsTr("Cancel")
                flat: true
                onClicked: root.close()
            }
            Button {
                objectName: "folderChooseButton"
                highlighted: true
                enabled: root.choice.length > 0 && !browser.loading
                text: qsTr("Choose")
                Accessible.name: qsTr("Choose the folder %1").arg(root.choice)
                ToolTip.visible: hovered
                ToolTip.text: root.choice
                onClicked: root.choose()
            }
        }
    }
}
