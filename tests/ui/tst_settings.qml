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
