import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import FalconChat.Ui

// Below a message being typed or edited that is longer than the chat's window: the model will see
// only its end, so a question before a long file added to the message would be lost.
Label {
    property int windowSize: 0
    Layout.fillWidth: true
    text: qsTr("Longer than this chat's context window of %1 tokens: the model will see only the end of it, so put your question last. A larger window (Sampling) keeps more.")
          .arg(windowSize)
    wrapMode: Text.Wrap
    font.pixelSize: Theme.smallFontSize
    color: Theme.warningText
}
