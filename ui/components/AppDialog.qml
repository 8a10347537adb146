import QtQuick
import QtQuick.Controls
import FalconChat.Ui

// A modal dialog of the app, dimming the window behind it with the theme's scrim.
Dialog {
    modal: true
    Overlay.modal: ModalScrim {}
}
