import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import FalconChat.Ui

// What the model remembers of this chat: pinned (system prompt) | evicted | recent window,
// drawn to scale; the tooltip gives the numbers.
Item {
    id: root
    property real pinned: 0
    property real evicted: 0
    property real recent: 0
    property real windowSize: 0
    readonly property real total: Math.max(1, pinned + evicted + recent)
    implicitHeight: 22
    Accessible.role: Accessible.Indicator
    Accessible.name: tip.text

    RowLayout {
        anchors.fill: parent
        anchors.leftMargin: Theme.margin
        anchors.rightMargin: Theme.margin
        spacing: Theme.spacing
        Label {
            text: qsTr("Context")
            font.pixelSize: Theme.smallFontSize
            color: Theme.subtleText
        }
        Row {
            id: bar
            Layout.fillWidth: true
            Layout.preferredHeight: 8
            readonly property real unit: width / root.total
            Rectangle { objectName: "pinnedPart"; width: bar.unit * root.pinned; height: parent.height; color: Theme.pinnedColor }
            Rectangle { objectName: "evictedPart"; width: bar.unit * root.evicted; height: parent.height; color: Theme.evictedColor }
            Rectangle { objectName: "recentPart"; width: bar.unit * root.recent; height: parent.height; color: Theme.recentColor }
        }
        Label {
            text: qsTr("%1 | %2 | %3").arg(root.pinned).arg(root.evicted).arg(root.recent)
            font.pixelSize: Theme.smallFontSize
            color: Theme.subtleText
        }
    }
    HoverHandler { id: hover }
    ToolTip {
        id: tip
        visible: hover.hovered
        text: qsTr("Pinned (system prompt): %1 tokens\nEvicted (no longer seen): %2 tokens\nRecent window: %3 of %4 tokens")
              .arg(root.pinned).arg(root.evicted).arg(root.recent).arg(root.windowSize)
    }
}
