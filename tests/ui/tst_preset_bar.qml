import QtQuick
import QtTest
import FalconChat.Ui

// The preset row of the sampling panel: it shows the chat's preset (or "Custom"), picking one
// asks to apply it, built-ins cannot be deleted, and Save asks for a name.
TestCase {
    id: test
    name: "PresetBar"
    width: 360
    height: 400
    visible: true
    when: windowShown

    Component {
        id: presetsComponent
        ListModel {
            ListElement { name: "Default"; displayName: "Default"; builtIn: true }
            ListElement { name: "Precise"; displayName: "Precise"; builtIn: true }
            ListElement { name: "Tutor"; displayName: "Tutor"; builtIn: false }
        }
    }
    Component {
        id: barComponent
        PresetBar { width: 360 }
    }

    SignalSpy { id: applySpy; signalName: "applyRequested" }
    SignalSpy { id: saveSpy; signalName: "saveRequested" }
    SignalSpy { id: deleteSpy; signalName: "deleteRequested" }

    function create(current) {
        const presets = createTemporaryObject(presetsComponent, test)
        const bar = createTemporaryObject(barComponent, test, { presets: presets, currentPreset: current })
        for (const spy of [applySpy, saveSpy, deleteSpy]) {
            spy.target = bar
            spy.clear()
        }
        return bar
    }

    function test_shows_the_current_preset_or_custom() {
        const bar = create("Precise")
        const box = findChild(bar, "presetBox")
        compare(box.currentIndex, 1)
        compare(box.displayText, "Precise")
        bar.currentPreset = ""
        compare(box.currentIndex, -1)
        compare(box.displayText, "Custom")
    }

    function test_picking_asks_to_apply_and_keeps_following_the_chat() {
        const bar = create("Default")
        const box = findChild(bar, "presetBox")
        box.forceActiveFocus()
        keyClick(Qt.Key_Down)  // the keyboard path: activates the next entry
        compare(applySpy.count, 1)
        compare(applySpy.signalArguments[0][0], "Precise")
        // The controller answers by changing currentPreset; the box follows it afterwards too.
        bar.currentPreset = "Tutor"
        compare(box.currentIndex, 2)
        bar.currentPreset = ""
        compare(box.displayText, "Custom")
    }

    function test_only_user_presets_can_be_deleted() {
        const bar = create("Default")
        const del = findChild(bar, "deletePresetButton")
        verify(!del.enabled)
        bar.currentPreset = "Tutor"
        verify(del.enabled)
        mouseClick(del)
        compare(deleteSpy.count, 1)
        compare(deleteSpy.signalArguments[0][0], "Tutor")
    }

    function test_save_asks_for_a_name_prefilled_with_the_users_preset() {
        const bar = create("Tutor")
        mouseClick(findChild(bar, "savePresetButton"))
        const field = findChild(bar, "presetNameField")
        tryCompare(findChild(bar, "savePresetPopup"), "opened", true)
        compare(field.text, "Tutor")  // overwriting one's own preset is the edit path
        field.forceActiveFocus()
        field.selectAll()
        keyClick("M"); keyClick("y")
        keyClick(Qt.Key_Return)
        compare(saveSpy.count, 1)
        compare(saveSpy.signalArguments[0][0], "My")
        bar.currentPreset = "Default"
        mouseClick(findChild(bar, "savePresetButton"))
        compare(field.text, "")  // a built-in is never overwritten: start from an empty name
    }
}
