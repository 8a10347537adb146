import QtQuick
import FalconChat.Ui

// What a modal popup puts behind itself (Overlay.modal): the theme's scrim, darker in both
// themes, instead of the style's veil (Qt 6.4's Material lightens a dark window).
Rectangle {
    objectName: "modalScrim"
    color: Theme.scrim
    Behavior on opacity { NumberAnimation { duration: 120 } }
}
