import QtQuick
import QtTest
import FalconChat.Core
import FalconChat.Ui

// ModelPickerDialog: int8 and int4 are choices on every backend. With the CPU chosen the hint
// says they are quantized while loading (it used to say they need the GPU, and the load was
// refused); and the bundled model loads on the CPU in int8 through the real engine, which saves
// its quantized weights: the dialog then offers to remove them.
TestCase {
    id: test
    name: "ModelPickerDialog"
    width: 700
    height: 700
    visible: true
    when: windowShown

    // The source tree's bundled model (this file is read from tests/ui).
    readonly property string bundledModel: Qt.resolvedUrl("../../resources/models/falcon-mini")

    Component {
        id: dialogComponent
        ModelPickerDialog {}
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

    function openDialog() {
        // A session restored at start (a model loaded by an earlier run) finishes first.
        tryVerify(() => ChatController.modelState !== "loading", 60000)
        const dialog = createTemporaryObject(dialogComponent, test)
        dialog.open()
        tryCompare(dialog, "opened", true)
        dialog.inspect(bundledModel)
        compare(dialog.info.ok, true, "the bundled model is readable")
        return dialog
    }

    function test_int8_and_int4_are_choices_on_the_cpu() {
        const dialog = openDialog()
        const backend = childNamed(dialog.contentItem, "backendBox")
        const weights = childNamed(dialog.contentItem, "weightsBox")
        const hint = childNamed(dialog.contentItem, "weightsHint")
        const load = dialog.loadButton
        verify(backend && weights && hint && load)
        compare(backend.values, ["auto", "cpu", "cuda"])
        compare(weights.values, ["bf16", "int8", "int4"])
        for (let b = 0; b < 3; ++b) {
            for (let w = 0; w < 3; ++w) {
                backend.currentIndex = b
                weights.currentIndex = w
                const what = backend.values[b] + " + " + weights.values[w]
                verify(load.enabled, what + ": can be loaded")
                // The hint only where it has something to say: quantizing on the CPU.
                compare(hint.visible, b === 1 && w > 0, what)
                if (hint.visible) {
                    verify(hint.text.indexOf("quantized") >= 0, hint.text)
                    verify(hint.text.indexOf("cache") >= 0, "later loads read the cache: " + hint.text)
                    verify(hint.text.indexOf("GPU") < 0, "no word of needing the GPU: " + hint.text)
                }
            }
        }
    }

    // The folder above the model's (here resources/models, which holds only falcon-mini) is not a
    // model: the dialog says where the model is and one click takes it.
    function test_a_folder_above_the_model_offers_the_model_inside() {
        const dialog = openDialog()
        const use = childNamed(dialog.contentItem, "useSuggestedFolder")
        verify(use)
        compare(use.visible, false)
        dialog.inspect(String(Qt.resolvedUrl("../../resources/models")))
        compare(dialog.info.ok, false)
        verify(dialog.info.error.indexOf("in a folder inside it: choose ") >= 0, dialog.info.error)
        verify(use.visible)
        compare(use.text, "Use that folder")
        mouseClick(use)
        compare(dialog.info.ok, true)
        compare(dialog.info.name, "falcon-mini")
        compare(use.visible, false)
        // A folder with nothing of a model in it offers nothing.
        dialog.inspect(String(Qt.resolvedUrl("../../resources/icons")))
        compare(dialog.info.ok, false)
        compare(use.visible, false)
    }

    // openAt (a folder dragged onto the window): a file of a model offers the folder that holds it.
    function test_opened_at_a_file_of_a_model_it_offers_its_folder() {
        tryVerify(() => ChatController.modelState !== "loading", 60000)
        const dialog = createTemporaryObject(dialogComponent, test)
        const folder = ChatController.localPath(bundledModel)
        dialog.openAt(folder + "/config.json")
        tryCompare(dialog, "opened", true)
        compare(dialog.folder, folder + "/config.json")
        verify(dialog.info.error.indexOf("is a file, not a model folder") >= 0, dialog.info.error)
        compare(dialog.info.suggestedDir, folder)
        const use = childNamed(dialog.contentItem, "useSuggestedFolder")
        verify(use && use.visible)
        mouseClick(use)
        compare(dialog.info.ok, true)
        compare(dialog.folder, folder)
        dialog.openAt(folder)  // already open: shows it at once
        compare(dialog.folder, folder)
    }

    function test_the_bundled_model_loads_on_the_cpu_in_int8() {
        const dialog = openDialog()
        // No saved quantized weights to begin with: nothing to remove, so no row for it.
        ChatController.clearQuantCache()
        dialog.refreshCacheUsage()
        const cacheRow = childNamed(dialog.contentItem, "quantCacheRow")
        verify(cacheRow)
        compare(cacheRow.visible, false)
        childNamed(dialog.contentItem, "backendBox").currentIndex = 1  // CPU
        childNamed(dialog.contentItem, "weightsBox").currentIndex = 1  // int8
        const load = dialog.loadButton
        verify(load.enabled)
        mouseClick(load)
        // Not refused: it loads, quantized on the CPU, and the status bar says int8.
        compare(ChatController.modelError, "")
        tryCompare(ChatController, "modelState", "ready", 60000)
        compare(ChatController.modelError, "")
        compare(ChatController.modelBackendChoice, "cpu")
        compare(ChatController.modelWeightsChoice, "int8")
        compare(ChatController.weightFormat, "int8")
        verify(ChatController.statusText.indexOf("int8") >= 0, ChatController.statusText)
        // The load saved its quantized weights; the dialog shows them, and Remove all removes them.
        tryCompare(cacheRow, "visible", true)
        compare(dialog.cacheUsage.files, 1)
        verify(dialog.cacheUsage.text.indexOf("1 file") >= 0, dialog.cacheUsage.text)
        mouseClick(childNamed(dialog.contentItem, "clearQuantCacheButton"))
        compare(cacheRow.visible, false)
        compare(ChatController.quantCacheUsage().files, 0)
    }

    // The saved files one by one: the int8 load's file is listed by its model, formats and
    // backend, and its own Remove removes it (a load after "Remove all" saves it again).
    function test_a_saved_file_is_listed_and_removed_alone() {
        const dialog = openDialog()
        ChatController.clearQuantCache()
        childNamed(dialog.contentItem, "backendBox").currentIndex = 1  // CPU
        childNamed(dialog.contentItem, "weightsBox").currentIndex = 2  // int4
        mouseClick(dialog.loadButton)
        tryCompare(ChatController, "weightFormat", "int4", 60000)
        tryCompare(ChatController, "modelState", "ready", 60000)
        tryVerify(() => dialog.cacheUsage.files === 1, 5000)
        const files = childNamed(dialog.contentItem, "quantCacheFiles")
        verify(files)
        compare(files.visible, false, "the list waits to be asked for")
        mouseClick(childNamed(dialog.contentItem, "showQuantCacheFilesButton"))
        tryCompare(files, "visible", true)
        compare(files.count, 1)
        const entry = dialog.cacheFiles[0]
        compare(entry.model, "falcon-mini")
        verify(entry.what.indexOf("int4") === 0 && entry.what.indexOf("CPU") > 0, entry.what)
        compare(ChatController.removeQuantCacheFile("/etc/passwd"), false, "only files of the cache folder")
        const row = files.itemAtIndex(0)
        let remove = null
        for (let i = 0; i < row.children.length; ++i)
            if (row.children[i].text === "Remove")
                remove = row.children[i]
        verify(remove)
        // Laid out and in the list's view (it sizes itself to its rows a frame later).
        tryVerify(() => files.height > 0 && remove.mapToItem(files, 0, 0).y + remove.height <= files.height + 1, 5000)
        mouseClick(remove)
        compare(ChatController.quantCacheUsage().files, 0)
        compare(dialog.cacheUsage.files, 0)
        compare(files.visible, false)
    }
}
