import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import FalconChat.Ui

// "‹ 2/3 ›": steps between the versions of a message (regenerated replies, edited questions).
RowLayout {
    id: root
    property int index: 0  // 0-based
    property int count: 1
    signal step(int delta)
    spacing: 0
    // The arrows keep their meaning (older / newer) in a mirrored layout.
    ToolButton {
        objectName: "previousSibling"
        text: root.LayoutMirroring.enabled ? "›" : "‹"
        enabled: root.enabled && root.index > 0
        Accessible.name: qsTr("Previous version")
        onClicked: root.step(-1)
    }
    Label {
        objectName: "siblingLabel"
        text: qsTr("%1/%2").arg(root.index + 1).arg(root.count)
        font.pixelSize: Theme.smallFontSize
        Accessible.name: qsTr("Version %1 of %2").arg(root.index + 1).arg(root.count)
    }
    ToolButton {
        objectName: "nextSibling"
        text: root.LayoutMirroring.enabled ? "‹" : "›"
        enabled: root.enabled && root.index + 1 < root.count
        Accessible.name: qsTr("Next version")
        onClicked: root.step(1)
    }
}
