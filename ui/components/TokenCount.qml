import QtQuick
import QtQuick.Controls
import FalconChat.Ui

// A typed message's length in the model's tokens (beside the composer and the message editor),
// in the warning colour when the message is longer than the chat's window.
Label {
    property real tokens: -1        // -1: not known (nothing shown)
    property bool tooLong: false
    property bool hasText: false    // nothing is shown for an empty field
    visible: tokens >= 0 && hasText
    text: qsTr("%n token(s)", "", tokens)
    font.pixelSize: Theme.smallFontSize
    color: tooLong ? Theme.warningText : Theme.subtleText
    Accessible.name: text
}
