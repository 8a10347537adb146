import QtQuick
import QtQuick.Controls
import QtQuick.Controls.Material
import QtTest
import FalconChat.Core
import FalconChat.Ui

// Run in the style the app runs with (Material; ui/tst_ui_material), and in Basic with the others: a modal
// dialog darkens the window behind it in the dark theme too. Qt 6.4's Material dims a dark window
// with a light veil (#99fafafa), which washed the whole window out behind the settings.
Item {
    id: root
    width: 640
    height: 480
    Material.theme: Material.Dark

    Rectangle {
        id: background
        anchors.fill: parent
        color: root.Material.theme === Material.Dark ? "#303030" : "#fafafa"  // Material's windows
    }

    Component {
        id: settingsComponent
        SettingsDialog {}
    }
    Component {
        id: shortcutsComponent
        KeyboardShortcutsDialog {}
    }
    Component {
        id: presetBarComponent
        PresetBar { width: 300 }
    }

    TestCase {
        name: "DialogScrimMaterial"
        when: windowShown

        function cleanup() {
            Theme.dark = false
        }

        function lightness(c) {
            return 0.2126 * c.r + 0.7152 * c.g + 0.0722 * c.b
        }

        // The lightness behind `popup` while it is open, against without: its dimmer (the item the
        // overlay puts behind a modal popup) laid over the window's colour. (grabImage shows no
        // popups: it grabs the items, not the overlay.)
        function dims(popup) {
            // (A popup takes the theme of the window, which the app sets; the test's window has none.)
            popup.Material.theme = root.Material.theme
            const window = lightness(background.color)
            popup.open()
            tryCompare(popup, "opened", true)
            const overlay = root.Overlay.overlay
            let dimmer = null
            for (let i = 0; i < overlay.children.length; ++i) {
                const child = overlay.children[i]
                if (child !== popup.background.parent && child.visible && child.color !== undefined)
                    dimmer = child
            }
            verify(dimmer, "the overlay has a dimmer")
            tryCompare(dimmer, "opacity", 1)
            const a = dimmer.color.a
            const behind = a * lightness(dimmer.color) + (1 - a) * window
            popup.close()
            tryCompare(popup, "visible", false)
            return [window, behind]
        }

        function test_a_modal_dialog_darkens_a_dark_window_data() {
            return [{tag: "settings", component: settingsComponent},
                    {tag: "shortcuts", component: shortcutsComponent}]
        }

        function test_a_modal_dialog_darkens_a_dark_window(data) {
            Theme.dark = true
            const dialog = createTemporaryObject(data.component, root)
            const l = dims(dialog)
            verify(l[1] < l[0] * 0.75, "behind the dialog: " + l[1] + " against " + l[0] + " before")
        }

        function test_a_modal_dialog_darkens_a_light_window() {
            Theme.dark = false
            const dialog = createTemporaryObject(settingsComponent, root)
            root.Material.theme = Material.Light
            const l = dims(dialog)
            root.Material.theme = Material.Dark
            verify(l[1] < l[0] * 0.85, "behind the dialog: " + l[1] + " against " + l[0] + " before")
        }

        function test_the_save_preset_popup_darkens_too() {
            Theme.dark = true
            const bar = createTemporaryObject(presetBarComponent, root)
            const popup = findChild(bar, "savePresetPopup")
            verify(popup)
            const l = dims(popup)
            verify(l[1] < l[0] * 0.75, "behind the popup: " + l[1] + " against " + l[0] + " before")
        }
    }
}
