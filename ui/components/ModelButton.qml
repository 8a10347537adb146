import QtQuick
import QtQuick.Controls
import FalconChat.Core
import FalconChat.Ui

// The model's name in the tool bar; opens the model picker. Shows loading progress.
ToolButton {
    id: root
    objectName: "modelButton"
    text: ChatController.modelState === "loading"
          ? qsTr("Loading %2… %1%").arg(Math.round(ChatController.loadProgress * 100)).arg(ChatController.modelName)  // the name last: a "%1" in it stays
          : ChatController.modelState === "ready" ? ChatController.modelName
          : ChatController.modelState === "failed" ? qsTr("Model failed — choose another")
          : qsTr("Open a model…")
    icon.name: "document-open"
    Accessible.name: qsTr("Choose the model")
    ToolTip.text: qsTr("Model (Ctrl+O)")
    ToolTip.visible: hovered
    ToolTip.delay: 600
}
