import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import FalconChat.Core
import FalconChat.Ui

// App settings (Ctrl+,): theme, font size, language, and the preset new chats start with.
AppDialog {
    id: root
    title: qsTr("Settings")
    focus: true  // so that Esc closes it (a popup only sees keys while it has focus)
    anchors.centerIn: parent
    width: Math.min(parent.width - 4 * Theme.margin, 480)
    standardButtons: Dialog.Close

    GridLayout {
        anchors.fill: parent
        columns: 2
        columnSpacing: Theme.margin
        rowSpacing: Theme.spacing

        Label { text: qsTr("Theme") }
        ComboBox {
            objectName: "themeBox"
            Layout.fillWidth: true
            model: [qsTr("Follow the system"), qsTr("Light"), qsTr("Dark")]
            // Read with the model: a new language makes the list again, and a ComboBox given a
            // new list goes back to its first entry (it showed "Follow the system" for Dark).
            currentIndex: model.length > 0 ? AppSettings.theme : -1
            Accessible.name: qsTr("Theme")
            onActivated: (index) => AppSettings.theme = index
        }

        Label { text: qsTr("Font size") }
        SpinBox {
            objectName: "fontSizeBox"
            from: 10
            to: 24
            value: AppSettings.fontSize
            Accessible.name: qsTr("Font size")
            onValueModified: AppSettings.fontSize = value
        }

        Label { text: qsTr("Language") }
        ComboBox {
            objectName: "languageBox"
            Layout.fillWidth: true
            readonly property var codes: ["", "en", "de", "ar"]
            // Each language is named in itself, so it can be found whatever is shown now.
            model: [qsTr("Follow the system"), "English", "Deutsch", "العربية"]
            currentIndex: model.length > 0 ? Math.max(0, codes.indexOf(AppSettings.language)) : -1  // (as above)
            Accessible.name: qsTr("Language")
            onActivated: (index) => AppSettings.language = codes[index]
        }

        Label { text: qsTr("New chats start with") }
        ComboBox {
            objectName: "defaultPresetBox"
            Layout.fillWidth: true
            model: ChatController.presets
            textRole: "displayName"
            valueRole: "name"
            // count: re-evaluated when presets come and go (rows move)
            currentIndex: ChatController.presets.count > 0 ? ChatController.presets.indexOf(ChatController.defaultPreset) : -1
            Accessible.name: qsTr("Preset for new chats")
            onActivated: (index) => {
                ChatController.defaultPreset = currentValue
                currentIndex = Qt.binding(() => ChatController.presets.count > 0
                                          ? ChatController.presets.indexOf(ChatController.defaultPreset) : -1)
            }
        }

        Label { text: qsTr("Conversations are stored in"); Layout.alignment: Qt.AlignTop }
        Label {
            Layout.fillWidth: true
            text: ChatController.databasePath
            wrapMode: Text.WrapAnywhere
            font.pixelSize: Theme.smallFontSize
            color: Theme.subtleText
        }
    }
}
