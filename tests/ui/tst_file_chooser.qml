import QtQuick
import QtTest
import FalconChat.Core
import FalconChat.Ui

// FileChooserDialog, the app's own chooser of files (added to a message, imported): several files
// at once by click, Ctrl+click, Shift+click, check box, Space and Ctrl+A (Qt Quick's non-native
// FileDialog takes one), given back in the folder's order; a double click enters a folder or takes
// a file; Enter takes the selection; the filter menu limits the files; the folder is kept for the
// next time. testTree/files (made by tst_ui.cpp): sub/, a.txt, b.md, c.json, "D export.JSON".
TestCase {
    id: test
    name: "FileChooser"
    width: 800
    height: 700
    visible: true
    when: windowShown

    readonly property string files: testTree + "/files"

    Component {
        id: chooserComponent
        FileChooserDialog {
            acceptLabel: "Add"
        }
    }
    SignalSpy {
        id: chosenSpy
        signalName: "filesChosen"
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

    function openOn(folder, filters) {
        const d = createTemporaryObject(chooserComponent, test, { firstFolder: folder, filters: filters || [] })
        chosenSpy.clear()
        chosenSpy.target = d
        d.open()
        tryCompare(d, "opened", true)
        tryVerify(() => !d.browser.loading && d.browser.folder === folder, 5000, "lists " + folder)
        return d
    }
    function rowNamed(d, name) {
        const list = childNamed(d.contentItem, "folderList")
        for (let i = 0; i < list.count; ++i) {
            const item = list.itemAtIndex(i)
            if (item && item.name === name)
                return item
        }
        return null
    }
    function names(paths) {
        return paths.map((p) => p.substring(p.lastIndexOf("/") + 1))
    }
    function listed(d) {
        const list = childNamed(d.contentItem, "folderList")
        const out = []
        for (let i = 0; i < list.count; ++i)
            out.push(list.itemAtIndex(i).name)
        return out
    }

    function test_click_ctrl_and_shift_select_several_files() {
        const d = openOn(files)
        compare(listed(d), ["sub", "a.txt", "b.md", "c.json", "D export.JSON"])
        const accept = childNamed(d.contentItem, "fileAcceptButton")
        const label = childNamed(d.contentItem, "fileChoiceLabel")
        verify(!accept.enabled, "nothing to add yet")
        compare(label.text, "No file selected")
        mouseClick(rowNamed(d, "b.md"))
        compare(names(d.browser.selectedPaths), ["b.md"])
        compare(label.text, "b.md")
        verify(accept.enabled)
        mouseClick(rowNamed(d, "D export.JSON"), 20, 5, Qt.LeftButton, Qt.ControlModifier)
        compare(names(d.browser.selectedPaths), ["b.md", "D export.JSON"])
        verify(label.text.indexOf("2") >= 0, label.text)  // "2 files selected" (plural from the translation)
        mouseClick(rowNamed(d, "b.md"), 20, 5, Qt.LeftButton, Qt.ControlModifier)  // out again
        compare(names(d.browser.selectedPaths), ["D export.JSON"])
        // Shift: from the last one clicked (b.md) up to the folder at the top (left out).
        mouseClick(rowNamed(d, "sub"), 20, 5, Qt.LeftButton, Qt.ShiftModifier)
        compare(names(d.browser.selectedPaths), ["a.txt", "b.md"])
        // A plain click starts again with one.
        mouseClick(rowNamed(d, "c.json"))
        compare(names(d.browser.selectedPaths), ["c.json"])
        mouseClick(rowNamed(d, "a.txt"), 20, 5, Qt.LeftButton, Qt.ShiftModifier)
        compare(names(d.browser.selectedPaths), ["a.txt", "b.md", "c.json"])
        mouseClick(accept)
        compare(chosenSpy.count, 1)
        compare(names(chosenSpy.signalArguments[0][0]), ["a.txt", "b.md", "c.json"], "in the folder's order")
        compare(chosenSpy.signalArguments[0][0][0], files + "/a.txt", "as whole paths")
        tryCompare(d, "visible", false)
    }

    function test_check_boxes_space_and_select_all() {
        const d = openOn(files)
        const check = childNamed(rowNamed(d, "c.json"), "fileCheck")
        verify(check && check.visible, "a file has a check box")
        verify(!childNamed(rowNamed(d, "sub"), "fileCheck").visible, "a folder has none")
        mouseClick(check)
        mouseClick(childNamed(rowNamed(d, "a.txt"), "fileCheck"))
        compare(names(d.browser.selectedPaths), ["a.txt", "c.json"], "check boxes add, without Ctrl")
        verify(check.checked)
        mouseClick(check)
        compare(names(d.browser.selectedPaths), ["a.txt"])
        verify(!check.checked)
        // The keyboard: Up to b.md (c.json is current after its check box), Space checks it.
        keyClick(Qt.Key_Up)
        keyClick(Qt.Key_Space)
        compare(names(d.browser.selectedPaths), ["a.txt", "b.md"])
        keyClick(Qt.Key_A, Qt.ControlModifier)
        compare(names(d.browser.selectedPaths), ["a.txt", "b.md", "c.json", "D export.JSON"])
        keyClick(Qt.Key_Return)
        compare(chosenSpy.count, 1)
        compare(names(chosenSpy.signalArguments[0][0]), ["a.txt", "b.md", "c.json", "D export.JSON"])
        tryCompare(d, "visible", false)
    }

    function test_double_clicks_and_enter() {
        const d = openOn(files)
        mouseClick(rowNamed(d, "a.txt"))
        mouseDoubleClickSequence(rowNamed(d, "sub"))
        tryVerify(() => d.browser.folder === files + "/sub" && !d.browser.loading, 5000, "entered")
        compare(d.browser.selectedCount, 0, "nothing selected in the folder entered")
        compare(chosenSpy.count, 0)
        // Enter with nothing selected takes the current file.
        keyClick(Qt.Key_Down)
        keyClick(Qt.Key_Return)
        compare(chosenSpy.count, 1)
        compare(names(chosenSpy.signalArguments[0][0]), ["e.txt"])
        tryCompare(d, "visible", false)
        // Opened again, it shows the folder it was in, with nothing selected; Backspace goes up,
        // and a double click on a file takes that file alone.
        d.open()
        tryCompare(d, "opened", true)
        tryVerify(() => d.browser.folder === files + "/sub" && !d.browser.loading, 5000, "kept")
        compare(d.browser.selectedCount, 0)
        keyClick(Qt.Key_Backspace)
        tryVerify(() => d.browser.folder === files && !d.browser.loading, 5000, "up")
        mouseClick(rowNamed(d, "a.txt"))
        mouseDoubleClickSequence(rowNamed(d, "b.md"))
        compare(chosenSpy.count, 2)
        compare(names(chosenSpy.signalArguments[1][0]), ["b.md"])
        // openAt: another folder this once.
        d.openAt(testTree)
        tryCompare(d, "opened", true)
        tryVerify(() => d.browser.folder === testTree && !d.browser.loading, 5000, "opened at")
        d.close()
    }

    function test_the_filter_menu_limits_the_files() {
        const d = openOn(files, [{ label: "Chat exports (*.json)", suffixes: ["json"] },
                                 { label: "All files", suffixes: [] }])
        const box = childNamed(d.contentItem, "fileFilterBox")
        verify(box.visible)
        compare(box.currentIndex, 0)
        tryVerify(() => !d.browser.loading && listed(d).length === 3, 5000, "the first filter applied")
        compare(listed(d), ["sub", "c.json", "D export.JSON"], "folders stay, JSON files of either case")
        mouseClick(rowNamed(d, "c.json"))
        box.currentIndex = 1
        tryVerify(() => !d.browser.loading && listed(d).length === 5, 5000, "all files")
        compare(d.browser.selectedCount, 0, "a new listing selects nothing")
        d.close()
        // No filters: no menu.
        const plain = openOn(files)
        verify(!childNamed(plain.contentItem, "fileFilterBox").visible)
        plain.close()
    }

    // A place given by the caller (the import's: LM Studio's chats) is a button that opens it.
    function test_extra_places() {
        const d = createTemporaryObject(chooserComponent, test, { firstFolder: files,
                                                                  extraPlaces: [{ label: "Sub place", path: files + "/sub" }] })
        chosenSpy.clear()
        chosenSpy.target = d
        d.open()
        tryCompare(d, "opened", true)
        tryVerify(() => !d.browser.loading && d.browser.folder === files, 5000)
        const button = findButton(d.contentItem, "Sub place")
        verify(button, "the place is offered")
        mouseClick(button)
        tryVerify(() => d.browser.folder === files + "/sub" && !d.browser.loading, 5000, "and opens")
        // The keyboard works on the folder opened: Ctrl+A and Enter take its file.
        keyClick(Qt.Key_A, Qt.ControlModifier)
        keyClick(Qt.Key_Return)
        compare(chosenSpy.count, 1)
        compare(names(chosenSpy.signalArguments[0][0]), ["e.txt"])
    }
    function findButton(item, text) {
        for (let i = 0; i < item.children.length; ++i) {
            const c = item.children[i]
            if (c.text === text && c.clicked !== undefined)
                return c
            const found = findButton(c, text)
            if (found)
                return found
        }
        return null
    }

    function test_cancel_chooses_nothing() {
        const d = openOn(files)
        mouseClick(rowNamed(d, "a.txt"))
        keyClick(Qt.Key_Escape)
        tryCompare(d, "visible", false)
        compare(chosenSpy.count, 0)
    }
}
