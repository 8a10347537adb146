import QtQuick
import QtTest
import FalconChat.Core
import FalconChat.Ui

// App settings as the settings dialog changes them: language (Arabic mirrors the layout),
// font size limits, theme.
TestCase {
    id: test
    name: "AppSettings"
    when: windowShown

    function cleanup() {
        AppSettings.language = ""
        AppSettings.fontSize = 14
        AppSettings.theme = 0
    }

    function test_language_switch_mirrors_for_arabic() {
        AppSettings.language = "ar"
        compare(AppSettings.effectiveLanguage, "ar")
        verify(AppSettings.rightToLeft)
        compare(Qt.application.layoutDirection, Qt.RightToLeft)
        AppSettings.language = "de"
        compare(AppSettings.effectiveLanguage, "de")
        verify(!AppSettings.rightToLeft)
        compare(Qt.application.layoutDirection, Qt.LeftToRight)
        AppSettings.language = "xx"  // not offered: ignored
        compare(AppSettings.language, "de")
    }

    Component {
        id: dialogComponent
        SettingsDialog {}
    }

    function findNamed(item, name) {
        if (item.objectName === name)
            return item
        for (let i = 0; i < item.children.length; ++i) {
            const found = findNamed(item.children[i], name)
            if (found)
                return found
        }
        return null
    }

    // The dialog open while the language changes: its lists are translated anew, and each still
    // shows the setting (the theme's list showed its first entry, "Follow the system").
    function test_the_dialog_keeps_showing_the_settings_when_the_language_changes() {
        AppSettings.theme = 2
        const dialog = createTemporaryObject(dialogComponent, test)
        dialog.open()
        tryCompare(dialog, "opened", true)
        const theme = findNamed(dialog.contentItem, "themeBox")
        const language = findNamed(dialog.contentItem, "languageBox")
        compare(theme.currentIndex, 2)
        AppSettings.language = "de"
        compare(theme.displayText, "Dunkel")  // translated: the lists were made again
        compare(theme.currentIndex, 2)
        compare(language.currentIndex, 2)
        AppSettings.language = "en"
        compare(theme.currentIndex, 2)
        compare(language.currentIndex, 1)
    }

    function test_font_size_is_clamped_and_drives_the_theme() {
        AppSettings.fontSize = 99
        compare(AppSettings.fontSize, 24)
        compare(Theme.baseFontSize, 24)
        AppSettings.fontSize = 1
        compare(AppSettings.fontSize, 10)
    }

    function test_zoom_steps_within_the_limits_and_resets() {
        AppSettings.fontSize = 14
        AppSettings.zoom(1)
        compare(AppSettings.fontSize, 15)
        AppSettings.zoom(-3)
        compare(AppSettings.fontSize, 12)
        AppSettings.zoom(0)
        compare(AppSettings.fontSize, 14)  // the default
        for (let i = 0; i < 20; ++i)
            AppSettings.zoom(1)
        compare(AppSettings.fontSize, 24)
        for (let i = 0; i < 20; ++i)
            AppSettings.zoom(-1)
        compare(AppSettings.fontSize, 10)
    }
}
