import QtQuick
import QtTest
import FalconChat.Core
import FalconChat.Ui

// ModelFolderBrowser, the model dialog's folder chooser: inside a checkpoint's own folder (no
// subfolders) Choose takes that folder (Qt Quick's FolderDialog left Choose disabled there), a
// selected folder is chosen over the one shown, a double click enters a folder, a typed path that
// does not exist leaves the folder shown; and the model dialog takes a folder whose name has a '#'
// and a '%' (testTree, made by tst_ui.cpp).
TestCase {
    id: test
    name: "ModelFolderBrowser"
    width: 800
    height: 700
    visible: true
    when: windowShown

    readonly property string models: testTree + "/C# 100% models"
    readonly property string checkpoint: models + "/falcon-mini"

    Component {
        id: browserComponent
        ModelFolderBrowser {}
    }
    Component {
        id: pickerComponent
        ModelPickerDialog {}
    }
    SignalSpy {
        id: chosenSpy
        signalName: "chosen"
    }

    function childNamed(item, name) {
        for (let i = 0; i < item.children.length; ++i) {
            const c = item.children[i]
            if (c.objectName === name)
                return c
            const found = childNamed(c, name)
            if (found)
                return found
        }
        return null
    }

    function openAt(folder) {
        const b = createTemporaryObject(browserComponent, test)
        chosenSpy.clear()
        chosenSpy.target = b
        b.startFolder = folder
        b.open()
        tryCompare(b, "opened", true)
        tryVerify(() => !b.browser.loading && b.browser.folder === folder, 5000, "lists " + folder)
        return b
    }

    function test_choose_takes_the_checkpoint_folder_it_is_in() {
        const b = openAt(checkpoint)
        const list = childNamed(b.contentItem, "folderList")
        const choose = childNamed(b.contentItem, "folderChooseButton")
        const status = childNamed(b.contentItem, "folderStatus")
        verify(list && choose && status)
        verify(list.count >= 5, "the model's files are listed: " + list.count)
        verify(b.browser.holdsModel)
        verify(status.visible && status.text.indexOf("holds a model") >= 0, status.text)
        verify(choose.enabled, "Choose works with nothing selected")
        compare(childNamed(b.contentItem, "folderChoiceLabel").text, "falcon-mini", "and says what it takes")
        mouseClick(choose)
        compare(chosenSpy.count, 1)
        compare(chosenSpy.signalArguments[0][0], checkpoint)
        tryCompare(b, "visible", false)
    }

    function test_a_selected_folder_is_chosen_and_a_double_click_enters_it() {
        const b = openAt(models)
        const list = childNamed(b.contentItem, "folderList")
        const choose = childNamed(b.contentItem, "folderChooseButton")
        compare(list.count, 1)
        const row = list.itemAtIndex(0)
        verify(row && row.isDir && row.isModel, "falcon-mini is marked as a model")
        compare(b.choice, models, "with nothing selected, the folder shown")
        mouseClick(row)
        compare(list.currentIndex, 0)
        compare(b.choice, checkpoint)
        compare(childNamed(b.contentItem, "folderChoiceLabel").text, "falcon-mini")
        mouseDoubleClickSequence(row)
        tryVerify(() => b.browser.folder === checkpoint && !b.browser.loading, 5000, "entered")
        compare(list.currentIndex, -1, "nothing selected in the folder entered")
        compare(b.choice, checkpoint)
        mouseClick(choose)
        compare(chosenSpy.signalArguments[0][0], checkpoint)
    }

    // The keyboard: Down makes the folder current, Space selects it (as a click does), Enter goes in.
    function test_space_selects_a_folder_and_enter_enters_it() {
        const b = openAt(models)
        const list = childNamed(b.contentItem, "folderList")
        keyClick(Qt.Key_Down)
        compare(list.currentIndex, 0)
        keyClick(Qt.Key_Space)
        compare(b.choice, checkpoint)
        keyClick(Qt.Key_Return)
        tryVerify(() => b.browser.folder === checkpoint && !b.browser.loading, 5000, "entered")
        compare(chosenSpy.count, 0)
        b.close()
    }

    function test_a_typed_path_that_does_not_exist_keeps_the_folder_shown() {
        const b = openAt(models)
        const field = childNamed(b.contentItem, "folderPathField")
        const status = childNamed(b.contentItem, "folderStatus")
        compare(field.text, models)
        field.forceActiveFocus()
        field.selectAll()
        keyClick(Qt.Key_Delete)
        keySequence("n,o,p,e")
        keyClick(Qt.Key_Return)
        tryVerify(() => b.browser.error.length > 0, 5000, "an error for a folder that is not there")
        verify(status.visible && status.text.indexOf("does not exist") >= 0, status.text)
        compare(b.browser.folder, models)
        compare(b.choice, models)
        // The up button and a typed path that exists.
        mouseClick(childNamed(b.contentItem, "folderUpButton"))
        tryVerify(() => b.browser.folder === testTree && !b.browser.loading, 5000)
        compare(b.browser.error, "")
    }

    // From the keyboard: Down selects the first folder, Return enters it, Backspace goes back up,
    // Return with nothing selected chooses the folder shown.
    function test_the_keyboard_alone_gets_there() {
        const b = openAt(models)
        const list = childNamed(b.contentItem, "folderList")
        verify(list.activeFocus, "the list has the focus when the chooser opens")
        keyClick(Qt.Key_Down)
        compare(list.currentIndex, 0)
        compare(b.choice, checkpoint)
        keyClick(Qt.Key_Return)
        tryVerify(() => b.browser.folder === checkpoint && !b.browser.loading, 5000, "entered")
        keyClick(Qt.Key_Backspace)
        tryVerify(() => b.browser.folder === models && !b.browser.loading, 5000, "back up")
        compare(list.currentIndex, -1, "nothing selected in the folder shown")
        keyClick(Qt.Key_Return)
        compare(chosenSpy.count, 1)
        compare(chosenSpy.signalArguments[0][0], models)
    }

    // Before, the dialog passed "file://" + path on, and a '#' cut the path there.
    function test_the_model_dialog_takes_a_folder_with_a_hash_in_its_name() {
        tryVerify(() => ChatController.modelState !== "loading", 60000)
        const dialog = createTemporaryObject(pickerComponent, test)
        dialog.open()
        tryCompare(dialog, "opened", true)
        dialog.inspect(checkpoint)
        compare(dialog.info.ok, true, JSON.stringify(dialog.info))
        compare(dialog.folder, checkpoint)
        dialog.inspect(ChatController.fileUrl(checkpoint).toString())  // a URL is taken apart once
        compare(dialog.folder, checkpoint)
        compare(dialog.info.ok, true)
        dialog.close()
    }
}
