import QtQuick
import QtQuick.Dialogs
import QtTest

// The file dialogs the app opens (export, import) as Qt Quick draws them where the desktop has no
// native ones, as under Xvfb here. They import Qt.labs.folderlistmodel: without that Debian
// package they opened nothing (and open() crashed this test), so export and import did nothing.
// (The model folder has the app's own chooser, ModelFolderBrowser: tst_model_folder_browser.qml.)
TestCase {
    id: test
    name: "FileDialogs"
    width: 800
    height: 600
    visible: true
    when: windowShown

    FileDialog {
        id: saveDialog
        parentWindow: test.Window.window
        fileMode: FileDialog.SaveFile
        nameFilters: ["Markdown files (*.md)"]
        acceptLabel: "Save"
    }
    FileDialog {
        id: openDialog
        parentWindow: test.Window.window
        fileMode: FileDialog.OpenFile
        nameFilters: ["JSON files (*.json)"]
    }

    function test_each_dialog_opens_and_closes_data() {
        return [{ tag: "save", dialog: saveDialog }, { tag: "open", dialog: openDialog }]
    }
    function test_each_dialog_opens_and_closes(data) {
        data.dialog.open()
        tryVerify(() => data.dialog.visible, 3000, "the dialog shows")
        data.dialog.reject()
        tryVerify(() => !data.dialog.visible, 3000, "and closes")
    }
}
