import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import FalconChat.Ui

// One numeric setting: name, one-line explanation, a slider and a field limited to the valid
// range (the validator refuses anything else), with the default marked on the slider.
ColumnLayout {
    id: root
    property string title
    property string explanation
    property real from: 0
    property real to: 1
    property real step: 0.01
    property real value: 0
    property real defaultValue: 0
    property int decimals: step < 1 ? 2 : 0
    signal edited(real value)
    spacing: 2

    RowLayout {
        Layout.fillWidth: true
        Label { text: root.title; font.bold: true; Layout.fillWidth: true }
        TextField {
            id: field
            objectName: "settingField"
            Layout.preferredWidth: 80
            horizontalAlignment: Text.AlignRight
            text: Number(root.value).toFixed(root.decimals)
            validator: DoubleValidator {
                bottom: root.from
                top: root.to
                decimals: root.decimals
                notation: DoubleValidator.StandardNotation
                locale: "C"
            }
            inputMethodHints: Qt.ImhFormattedNumbersOnly
            Accessible.name: root.title
            onEditingFinished: {
                const v = Number(text)
                if (acceptableInput && !isNaN(v))
                    root.edited(v)
                text = Qt.binding(() => Number(root.value).toFixed(root.decimals))
            }
        }
    }
    Slider {
        id: slider
        objectName: "settingSlider"
        Layout.fillWidth: true
        from: root.from
        to: root.to
        stepSize: root.step
        snapMode: Slider.SnapAlways
        value: root.value
        Accessible.name: root.title
        onMoved: root.edited(Math.round(value / root.step) * root.step)
        // The default's position, as a small tick under the groove.
        Rectangle {
            objectName: "defaultMark"
            width: 2
            height: 6
            color: Theme.subtleText
            y: parent.height - height
            // A right-to-left slider runs from the right: the mark mirrors with it.
            readonly property real fraction: (root.defaultValue - root.from) / (root.to - root.from)
            x: slider.leftPadding + (slider.availableWidth - width) * (slider.mirrored ? 1 - fraction : fraction)
        }
    }
    Label {
        Layout.fillWidth: true
        text: root.explanation + " " + qsTr("(default %1)").arg(Number(root.defaultValue).toFixed(root.decimals))
        wrapMode: Text.Wrap
        Layout.preferredWidth: 0  // the layout gives the width; the text wraps in it
        font.pixelSize: Theme.smallFontSize
        color: Theme.subtleText
    }
}
