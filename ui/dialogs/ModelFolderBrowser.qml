import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import FalconChat.Core
import FalconChat.Ui

// Choosing a model folder. Qt Quick's FolderDialog chooses only a folder selected inside the one
// shown, so in a checkpoint's own folder (which has no subfolders) its Choose stayed disabled.
// Here Choose takes the selected folder, or else the folder shown; the files are listed too (the
// config.json and *.safetensors say "this is the model"), folders holding a config.json are
// marked, and a path can be typed or pasted. Listing runs off the GUI thread (FolderBrowserModel).
Dialog {
    id: root
    objectName: "modelFolderBrowser"
    title: qsTr("Choose a model folder")
    modal: true
    focus: true
    anchors.centerIn: parent
    width: Math.min(parent ? parent.width - 2 * Theme.margin : 600, 640)
    height: Math.min(parent ? parent.height - 2 * Theme.margin : 560, 560)
    padding: Theme.margin

    signal chosen(string path)

    property alias browser: lister
    // Where the next open() starts: a folder path (set by the caller before opening).
    property string startFolder: ""

    // What Choose takes: the selected folder, else the folder shown.
    readonly property bool rowSelected: list.currentIndex >= 0 && list.currentItem !== null && list.currentItem.isDir
    readonly property string choice: rowSelected ? list.currentItem.path : lister.folder
    function nameOf(path) {
        const cut = path.replace(/\/+$/, "")
        return cut.length === 0 ? "/" : cut.substring(cut.lastIndexOf("/") + 1)
    }
    function openFolder(path) {
        list.currentIndex = -1
        lister.open(path)
    }
    function choose() {
        if (choice.length === 0)
            return
        chosen(choice)
        close()
    }

    FolderBrowserModel {
        id: lister
        // A new listing shows its top, with nothing selected (Choose then takes the folder shown).
        onFolderChanged: {
            list.currentIndex = -1
            list.positionViewAtBeginning()
            pathField.text = folder
        }
    }

    onAboutToShow: {
        lister.open(startFolder.length > 0 ? startFolder : (lister.folder.length > 0 ? lister.folder : "~"))
        list.forceActiveFocus()
    }

    contentItem: ColumnLayout {
        spacing: Theme.spacing

        RowLayout {
            Layout.fillWidth: true
            spacing: Theme.spacing
            ToolButton {
                objectName: "folderUpButton"
                text: "\u2191"
                font.pixelSize: Theme.titleFontSize
                enabled: lister.parentFolder.length > 0
                onClicked: root.openFolder(lister.parentFolder)
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
                onAccepted: root.openFolder(text)
            }
        }

        Flow {
            Layout.fillWidth: true
            spacing: Theme.spacing
            Repeater {
                model: lister.places()
                delegate: Button {
                    required property var modelData
                    flat: true
                    text: modelData.label
                    font.pixelSize: Theme.smallFontSize
                    onClicked: root.openFolder(modelData.path)
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
                // Enter opens the selected folder, or with none selected chooses the one shown.
                function activate() {
                    if (root.rowSelected)
                        root.openFolder(list.currentItem.path)
                    else
                        root.choose()
                }
                Keys.onReturnPressed: activate()
                Keys.onEnterPressed: activate()
                Keys.onPressed: (event) => {
                    if (event.key === Qt.Key_Backspace && lister.parentFolder.length > 0) {
                        root.openFolder(lister.parentFolder)
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
                    width: ListView.view.width
                    highlighted: ListView.isCurrentItem
                    // Files are shown, not chosen: a click on one clears the selection.
                    onClicked: list.currentIndex = isDir ? index : -1
                    onDoubleClicked: if (isDir) root.openFolder(path)
                    Accessible.name: isDir ? (isModel ? qsTr("%1, folder with a model").arg(name) : qsTr("%1, folder").arg(name))
                                           : qsTr("%1, file, %2").arg(name).arg(sizeText)
                    contentItem: RowLayout {
                        spacing: Theme.spacing
                        Label {
                            text: row.isDir ? "\u25B8" : " "
                            color: Theme.subtleText
                            Layout.preferredWidth: Theme.baseFontSize
                        }
                        Label {
                            Layout.fillWidth: true
                            text: row.name
                            elide: Text.ElideMiddle
                            color: row.isDir ? Theme.text : Theme.subtleText
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
                    text: qsTr("This folder is empty.")
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
                : lister.holdsModel ? qsTr("This folder holds a model (config.json).")
                : lister.truncated ? qsTr("Only the first %1 entries are shown; type a path to go further.").arg(lister.maxEntries)
                : ""
            color: lister.error.length > 0 ? "#c62828" : lister.holdsModel ? Theme.recentColor : Theme.subtleText
            visible: text.length > 0
        }

        RowLayout {
            Layout.fillWidth: true
            spacing: Theme.spacing
            CheckBox {
                text: qsTr("Hidden folders")
                checked: lister.showHidden
                onToggled: lister.showHidden = checked
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
                enabled: root.choice.length > 0 && !lister.loading
                text: qsTr("Choose")
                Accessible.name: qsTr("Choose the folder %1").arg(root.choice)
                ToolTip.visible: hovered
                ToolTip.text: root.choice
                onClicked: root.choose()
            }
        }
    }
}
