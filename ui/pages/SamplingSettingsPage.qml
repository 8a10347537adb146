import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import FalconChat.Ui

// The sampling settings of the open chat, with its preset on top. Each value is limited to its
// valid range; changes apply from the next reply. `config` is the controller's SamplingConfig
// (or, in tests, anything with the same properties and range()); `presets` and `currentPreset`
// feed the PresetBar, whose requests are passed on.
Pane {
    id: root
    property var config: null
    property var presets: null
    property string currentPreset: ""
    signal closeRequested()
    signal applyPresetRequested(string name)
    signal savePresetRequested(string name)
    signal deletePresetRequested(string name)
    padding: Theme.margin

    function r(name, key) { return root.config ? root.config.range(name)[key] : 0 }

    ColumnLayout {
        anchors.fill: parent
        spacing: Theme.spacing
        RowLayout {
            Layout.fillWidth: true
            Label {
                text: qsTr("Sampling")
                font.pixelSize: Theme.titleFontSize
                elide: Text.ElideRight
                Layout.fillWidth: true
                Layout.preferredWidth: 0
            }
            ToolButton {
                objectName: "closeSamplingButton"
                text: "✕"
                Accessible.name: qsTr("Close sampling settings")
                onClicked: root.closeRequested()
            }
        }
        PresetBar {
            Layout.fillWidth: true
            visible: root.presets !== null
            presets: root.presets
            currentPreset: root.currentPreset
            onApplyRequested: (name) => root.applyPresetRequested(name)
            onSaveRequested: (name) => root.savePresetRequested(name)
            onDeleteRequested: (name) => root.deletePresetRequested(name)
        }
        // On its own line, not in the title's: its translations are long.
        Button {
            objectName: "resetButton"
            Layout.alignment: Qt.AlignRight
            Layout.maximumWidth: root.availableWidth
            flat: true
            text: qsTr("Reset to defaults")
            enabled: root.config && !root.config.isDefault
            Accessible.name: text
            onClicked: root.config.resetToDefaults()
        }
        Label {
            Layout.fillWidth: true
            text: qsTr("For this chat. Changes apply from the next reply.")
            wrapMode: Text.Wrap
            Layout.preferredWidth: 0  // the layout gives the width; the text wraps in it
            font.pixelSize: Theme.smallFontSize
            color: Theme.subtleText
        }

        ScrollView {
            id: scroll
            Layout.fillWidth: true
            Layout.fillHeight: true
            contentWidth: availableWidth
            clip: true

            ColumnLayout {
                width: scroll.availableWidth
                spacing: Theme.margin

                Repeater {
                    model: [
                        { key: "temperature", title: qsTr("Temperature"),
                          explanation: qsTr("Higher is more varied, lower more focused; 0 always picks the likeliest token.") },
                        { key: "topK", title: qsTr("Top-k"),
                          explanation: qsTr("Only the k likeliest tokens can be picked; 0 turns it off.") },
                        { key: "topP", title: qsTr("Top-p"),
                          explanation: qsTr("Only the likeliest tokens that together reach this probability; 1 turns it off.") },
                        { key: "minP", title: qsTr("Min-p"),
                          explanation: qsTr("Drops tokens less likely than this fraction of the likeliest one; 0 turns it off.") },
                        { key: "repeatPenalty", title: qsTr("Repetition penalty"),
                          explanation: qsTr("Above 1 discourages repeating recent tokens; 1 turns it off.") },
                        { key: "repeatLastN", title: qsTr("Penalty window"),
                          explanation: qsTr("How many recent tokens the penalties look at; -1 means the whole context.") },
                        { key: "presencePenalty", title: qsTr("Presence penalty"),
                          explanation: qsTr("Subtracted once from every token already used: favours new topics.") },
                        { key: "frequencyPenalty", title: qsTr("Frequency penalty"),
                          explanation: qsTr("Subtracted for each use of a token: reduces word repetition.") },
                        { key: "maxNewTokens", title: qsTr("Max new tokens"),
                          explanation: qsTr("The longest a reply may be; a cut reply can be continued.") },
                        { key: "windowSize", title: qsTr("Context window"),
                          explanation: qsTr("Recent tokens the model keeps besides the system prompt; older turns are dropped.") }
                    ]
                    delegate: SettingRow {
                        required property var modelData
                        objectName: modelData.key + "Setting"
                        Layout.fillWidth: true
                        title: modelData.title
                        explanation: modelData.explanation
                        from: root.r(modelData.key, "from")
                        to: root.r(modelData.key, "to")
                        step: root.r(modelData.key, "step")
                        defaultValue: root.r(modelData.key, "default")
                        value: root.config ? root.config[modelData.key] : 0
                        onEdited: (v) => root.config[modelData.key] = v
                    }
                }

                ColumnLayout {
                    Layout.fillWidth: true
                    spacing: 2
                    // Two lines: a ten-digit field beside the box would not fit a narrow panel.
                    RowLayout {
                        Layout.fillWidth: true
                        Label { text: qsTr("Seed"); font.bold: true; Layout.fillWidth: true }
                        CheckBox {
                            objectName: "randomSeedBox"
                            text: qsTr("Random")
                            checked: root.config ? root.config.randomSeed : true
                            Accessible.name: qsTr("Random seed")
                            onToggled: root.config.randomSeed = checked
                        }
                    }
                    SpinBox {
                        objectName: "seedField"
                        Layout.fillWidth: true
                        enabled: root.config && !root.config.randomSeed
                        from: 0
                        to: 2147483647
                        editable: true
                        value: root.config ? root.config.seed : 0
                        Accessible.name: qsTr("Seed")
                        onValueModified: root.config.seed = value
                    }
                    Label {
                        Layout.fillWidth: true
                        text: qsTr("A fixed seed makes a reply repeatable with the same settings. (default: random)")
                        wrapMode: Text.Wrap
                        Layout.preferredWidth: 0  // the layout gives the width; the text wraps in it
                        font.pixelSize: Theme.smallFontSize
                        color: Theme.subtleText
                    }
                }

                ColumnLayout {
                    Layout.fillWidth: true
                    spacing: 2
                    Label { text: qsTr("Stop strings"); font.bold: true }
                    TextArea {
                        objectName: "stopStringsField"
                        Layout.fillWidth: true
                        placeholderText: qsTr("One per line")
                        text: root.config ? root.config.stopStrings.join("\n") : ""
                        Accessible.name: qsTr("Stop strings, one per line")
                        onEditingFinished: root.config.stopStrings = text.split("\n")
                    }
                    Label {
                        Layout.fillWidth: true
                        text: qsTr("The reply ends before any of these texts. (default: none)")
                        wrapMode: Text.Wrap
                        Layout.preferredWidth: 0  // the layout gives the width; the text wraps in it
                        font.pixelSize: Theme.smallFontSize
                        color: Theme.subtleText
                    }
                }
            }
        }
    }
}
