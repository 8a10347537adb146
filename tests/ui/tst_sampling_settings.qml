import QtQuick
import QtTest
import FalconChat.Ui

// The sampling panel: fields refuse values outside the range, the slider and the field edit
// the setting, the default is marked, Reset restores the defaults.
TestCase {
    id: test
    name: "SamplingSettingsPage"
    width: 360
    height: 900
    visible: true
    when: windowShown

    // Stands in for the controller's SamplingConfig: same properties, same range() shape.
    Component {
        id: configComponent
        QtObject {
            property real temperature: 0.8
            property int topK: 40
            property real topP: 0.95
            property real minP: 0.05
            property real repeatPenalty: 1.1
            property int repeatLastN: 64
            property real presencePenalty: 0
            property real frequencyPenalty: 0
            property int maxNewTokens: 512
            property int windowSize: 512
            property bool randomSeed: true
            property int seed: 42
            property var stopStrings: []
            readonly property bool isDefault: temperature === 0.8 && topK === 40
            property int resets: 0
            function range(name) {
                const r = { temperature: [0, 2, 0.05, 0.8], topK: [0, 200, 1, 40], topP: [0.01, 1, 0.01, 0.95],
                            minP: [0, 1, 0.01, 0.05], repeatPenalty: [0.5, 2, 0.01, 1.1], repeatLastN: [-1, 4096, 1, 64],
                            presencePenalty: [-2, 2, 0.05, 0], frequencyPenalty: [-2, 2, 0.05, 0],
                            maxNewTokens: [1, 32768, 1, 512], windowSize: [64, 32768, 64, 512] }[name]
                return { from: r[0], to: r[1], step: r[2], "default": r[3] }
            }
            function resetToDefaults() { temperature = 0.8; topK = 40; resets++ }
        }
    }
    Component {
        id: pageComponent
        SamplingSettingsPage { width: 360; height: 900 }
    }

    function create() {
        const config = createTemporaryObject(configComponent, test)
        const page = createTemporaryObject(pageComponent, test, { config: config })
        const row = findChild(page, "temperatureSetting")
        verify(row !== null)
        return [config, page, row]
    }

    function test_field_accepts_only_valid_values() {
        const [config, page, row] = create()
        const field = findChild(row, "settingField")
        compare(field.text, "0.80")
        field.forceActiveFocus()
        field.selectAll()
        keyClick("5")  // 5 > 2: the validator refuses it as a final value
        keyClick(Qt.Key_Return)
        compare(config.temperature, 0.8)
        field.forceActiveFocus()
        field.selectAll()
        keyClick("1"); keyClick("."); keyClick("5")
        keyClick(Qt.Key_Return)
        compare(config.temperature, 1.5)
        compare(field.text, "1.50")
    }

    function test_slider_edits_within_range_and_default_is_marked() {
        const [config, page, row] = create()
        const slider = findChild(row, "settingSlider")
        compare(slider.from, 0)
        compare(slider.to, 2)
        const mark = findChild(row, "defaultMark")
        verify(mark.x > 0 && mark.x < slider.width)
        // The tick sits at 0.8 / 2 of the groove.
        const expected = slider.leftPadding + (slider.availableWidth - mark.width) * 0.4
        fuzzyCompare(mark.x, expected, 1)
        mouseClick(slider, slider.leftPadding + 2, slider.height / 2)
        verify(config.temperature >= 0 && config.temperature < 0.1, "a click at the left end gives ~0: " + config.temperature)
    }

    function test_reset_restores_defaults() {
        const [config, page, row] = create()
        const reset = findChild(page, "resetButton")
        verify(!reset.enabled, "nothing to reset while on the defaults")
        config.topK = 3
        verify(reset.enabled)
        mouseClick(reset)
        compare(config.resets, 1)
        compare(config.topK, 40)
    }

    function test_seed_box_switches_random_off() {
        const [config, page, row] = create()
        const box = findChild(page, "randomSeedBox")
        verify(box.checked)
        verify(!findChild(page, "seedField").enabled)
        box.forceActiveFocus()
        keyClick(Qt.Key_Space)  // the keyboard path: the box may be scrolled out of view
        compare(config.randomSeed, false)
        verify(findChild(page, "seedField").enabled)
    }

    // Every control stays inside the panel when the texts are long for its width (German's are at
    // 340 px; English ones at 240 px here): the header, the preset buttons and the value fields
    // once ran past the right edge, out of reach.
    function test_controls_stay_inside_a_narrow_panel() {
        const config = createTemporaryObject(configComponent, test)
        const presets = createTemporaryQmlObject(`import QtQuick; ListModel {
            ListElement { name: "Default"; displayName: "Default"; builtIn: true }
            ListElement { name: "Mine"; displayName: "Mine"; builtIn: false } }`, test)
        const page = createTemporaryObject(pageComponent, test, { config: config, width: 240, presets: presets,
                                                                 currentPreset: "Mine" })
        for (const name of ["resetButton", "closeSamplingButton", "savePresetButton", "deletePresetButton",
                            "presetBox"]) {
            const item = findChild(page, name)
            verify(item !== null, name)
            if (!item.visible)
                continue
            const left = item.mapToItem(page, 0, 0).x
            verify(left >= 0 && left + item.width <= page.width + 0.5,
                   `${name}: ${left}..${left + item.width} in a ${page.width} px panel`)
        }
        for (const setting of ["temperatureSetting", "windowSizeSetting"]) {
            const field = findChild(findChild(page, setting), "settingField")
            const right = field.mapToItem(page, field.width, 0).x
            verify(right <= page.width + 0.5, `${setting}'s field ends at ${right} in a ${page.width} px panel`)
        }
        const seed = findChild(page, "seedField")
        verify(seed.mapToItem(page, seed.width, 0).x <= page.width + 0.5, "the seed field")
    }
}
