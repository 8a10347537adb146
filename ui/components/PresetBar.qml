import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import FalconChat.Ui

// Presets of system prompt + sampling: pick one to apply it to this chat, save the chat's
// current values as a preset (a new name creates one, the name of one of yours overwrites it),
// delete one of yours. `presets` is the controller's PresetModel (roles name, displayName,
// builtIn) or, in tests, a ListModel with the same roles.
ColumnLayout {
    id: root
    property var presets: null
    property string currentPreset: ""  // "" when the chat matches none ("Custom")
    signal applyRequested(string name)
    signal saveRequested(string name)
    signal deleteRequested(string name)
    spacing: 2

    function rowOf(name) {
        if (!presets)
            return -1
        for (let i = 0; i < presets.count; ++i)
            if (entry(i).name === name)
                return i
        return -1
    }
    // One row's roles, from a C++ model or a ListModel alike.
    function entry(i) {
        if (presets.get)
            return presets.get(i)
        const idx = presets.index(i, 0)
        return { name: presets.data(idx, Qt.UserRole + 1), displayName: presets.data(idx, Qt.UserRole + 2),
                 builtIn: presets.data(idx, Qt.UserRole + 3) }
    }
    readonly property int currentRow: rowOf(currentPreset)
    readonly property bool currentIsBuiltIn: currentRow >= 0 && entry(currentRow).builtIn

    // The name on its own line: translations of "Preset" and long preset names need the width.
    RowLayout {
        Layout.fillWidth: true
        Label { text: qsTr("Preset"); font.bold: true; Layout.fillWidth: true }
        ToolButton {
            objectName: "savePresetButton"
            text: qsTr("Save…")
            Accessible.name: qsTr("Save these settings as a preset")
            ToolTip.text: Accessible.name
            ToolTip.visible: hovered
            ToolTip.delay: 600
            onClicked: {
                nameField.text = root.currentRow >= 0 && !root.currentIsBuiltIn ? root.currentPreset : ""
                savePopup.open()
                nameField.forceActiveFocus()
            }
        }
        ToolButton {
            objectName: "deletePresetButton"
            text: qsTr("Delete")
            enabled: root.currentRow >= 0 && !root.currentIsBuiltIn
            Accessible.name: qsTr("Delete this preset")
            onClicked: root.deleteRequested(root.currentPreset)
        }
    }
    ComboBox {
        id: box
        objectName: "presetBox"
        Layout.fillWidth: true
        model: root.presets
        textRole: "displayName"
        currentIndex: root.currentRow
        displayText: root.currentRow >= 0 ? currentText : qsTr("Custom")
        Accessible.name: qsTr("Preset")
        onActivated: (index) => {
            root.applyRequested(root.entry(index).name)
            currentIndex = Qt.binding(() => root.currentRow)  // a pick must not cut the binding
        }
    }
    Label {
        Layout.fillWidth: true
        text: qsTr("A preset sets the system prompt and every value below.")
        wrapMode: Text.Wrap
        Layout.preferredWidth: 0  // the layout gives the width; the text wraps in it
        font.pixelSize: Theme.smallFontSize
        color: Theme.subtleText
    }

    Popup {
        id: savePopup
        objectName: "savePresetPopup"
        y: box.y + box.height
        width: root.width
        modal: true
        Overlay.modal: ModalScrim {}
        focus: true
        function accept() {
            if (nameField.text.trim().length === 0)
                return
            root.saveRequested(nameField.text)
            close()
        }
        ColumnLayout {
            anchors.fill: parent
            Label { text: qsTr("Save the system prompt and these settings as:") ; wrapMode: Text.Wrap; Layout.fillWidth: true; Layout.preferredWidth: 0 }
            TextField {
                id: nameField
                objectName: "presetNameField"
                Layout.fillWidth: true
                maximumLength: 60
                placeholderText: qsTr("Preset name")
                Accessible.name: qsTr("Preset name")
                onAccepted: savePopup.accept()
            }
            Label {
                Layout.fillWidth: true
                visible: root.rowOf(nameField.text.trim()) >= 0
                text: qsTr("A preset of that name is replaced.")
                font.pixelSize: Theme.smallFontSize
                color: Theme.subtleText
            }
            RowLayout {
                Layout.alignment: Qt.AlignRight
                Button { text: qsTr("Cancel"); flat: true; onClicked: savePopup.close() }
                Button {
                    objectName: "presetSaveConfirm"
                    text: qsTr("Save")
                    highlighted: true
                    enabled: nameField.text.trim().length > 0
                    onClicked: savePopup.accept()
                }
            }
        }
    }
}
