import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import FalconChat.Ui

// The keyboard shortcuts (F1, Ctrl+/): groups of rows, each the keys that do something and what
// it does. Keys are written as the platform writes them, in the user's language ("Strg+N").
AppDialog {
    id: root
    // [{title: "...", rows: [{keys: ["Ctrl+N"], text: "New chat"}, ...]}, ...]
    property var groups: []
    title: qsTr("Keyboard shortcuts")
    focus: true  // so that Esc closes it
    anchors.centerIn: parent
    width: Math.min(parent.width - 4 * Theme.margin, 560)
    height: Math.min(parent.height - 4 * Theme.margin, implicitHeight)
    standardButtons: Dialog.Close

    // Made when the dialog opens: its rows are dozens of items, not worth the app's start-up.
    Loader {
        anchors.fill: parent
        active: root.visible
        sourceComponent: shortcutsList
    }

    Component {
        id: shortcutsList
        ScrollView {
            id: scroller
            contentWidth: availableWidth
            clip: true

            ColumnLayout {
                width: scroller.availableWidth
                spacing: Theme.spacing

                Repeater {
                    model: root.groups
                    delegate: ColumnLayout {
                        id: group
                        required property var modelData
                        Layout.fillWidth: true
                        spacing: Theme.spacing / 2

                        Label {
                            Layout.topMargin: Theme.spacing
                            text: group.modelData.title
                            font.bold: true
                        }
                        Repeater {
                            model: group.modelData.rows
                            delegate: RowLayout {
                                id: row
                                required property var modelData
                                objectName: "shortcutRow"
                                Layout.fillWidth: true
                                spacing: Theme.spacing

                                Label {
                                    Layout.fillWidth: true
                                    Layout.preferredWidth: 0  // wraps instead of pushing the keys out
                                    Layout.alignment: Qt.AlignTop
                                    text: row.modelData.text
                                    wrapMode: Text.WordWrap
                                }
                                // Top-aligned: centred, they kept the place they had while the
                                // description was still laid out one word a line (Qt 6.4, in the app).
                                Row {
                                    Layout.alignment: Qt.AlignTop
                                    spacing: Theme.spacing / 2
                                    Repeater {
                                        model: row.modelData.keys
                                        delegate: Label {
                                            required property string modelData
                                            objectName: "shortcutKey"
                                            text: probe.nativeText
                                            font.pixelSize: Theme.smallFontSize
                                            leftPadding: Theme.spacing / 2
                                            rightPadding: Theme.spacing / 2
                                            topPadding: 2
                                            bottomPadding: 2
                                            background: Rectangle {
                                                radius: 4
                                                color: Theme.codeBackground
                                                border.color: Theme.evictedColor
                                            }
                                            // Only to write the keys as the platform does; never triggers.
                                            Shortcut {
                                                id: probe
                                                enabled: false
                                                sequence: modelData
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
