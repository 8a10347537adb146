import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import FalconChat.Core
import FalconChat.Ui

// Backend and device, weight format and memory, the speed of the last reply, and notices
// (GPU fallback, resume).
ToolBar {
    id: root
    implicitHeight: 28
    RowLayout {
        anchors.fill: parent
        anchors.leftMargin: Theme.margin
        anchors.rightMargin: Theme.margin
        spacing: Theme.margin * 2
        // In a narrow window every label gives way (elided, the whole text in a tooltip) instead
        // of running past the window's edge.
        Label {
            id: backendLabel
            objectName: "backendLabel"
            Layout.preferredWidth: implicitWidth
            Layout.minimumWidth: Math.min(implicitWidth, 120)
            text: ChatController.modelState === "ready" ? ChatController.statusText
                  : ChatController.modelState === "loading" ? qsTr("Loading model…")
                  : qsTr("No model")
            elide: Text.ElideRight
            font.pixelSize: Theme.smallFontSize
            Accessible.name: text
            HoverHandler { id: backendHover }
            ToolTip.visible: backendLabel.truncated && backendHover.hovered
            ToolTip.text: text
        }
        Label {
            Layout.preferredWidth: implicitWidth
            Layout.minimumWidth: Math.min(implicitWidth, 60)
            visible: ChatController.lastTokensPerSecond > 0
            text: qsTr("Last reply: %1 tok/s").arg(ChatController.lastTokensPerSecond.toFixed(1))
            elide: Text.ElideRight
            font.pixelSize: Theme.smallFontSize
        }
        Label {
            id: noticeLabel
            Layout.fillWidth: true  // what is left: the notice gives way first
            Layout.preferredWidth: 0
            text: ChatController.notice
            elide: Text.ElideRight
            font.pixelSize: Theme.smallFontSize
            opacity: 0.8
            HoverHandler { id: noticeHover }
            ToolTip.visible: noticeLabel.truncated && noticeHover.hovered
            ToolTip.text: text
        }
        ProgressBar {
            visible: ChatController.modelState === "loading"
            value: ChatController.loadProgress
            Layout.preferredWidth: 120
            Accessible.name: qsTr("Model loading progress")
        }
    }
}
