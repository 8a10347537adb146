import QtQuick
import QtQuick.Controls
import FalconChat.Ui

// A short message at the bottom of the window; errors stay longer and can be closed.
Popup {
    id: root
    property bool isError: false
    property alias text: label.text
    function show(message, error) {
        label.text = message
        isError = error === true
        timer.interval = isError ? 8000 : 2500
        open()
        timer.restart()
    }
    x: (parent.width - width) / 2
    y: parent.height - height - Theme.margin * 2
    width: Math.min(label.implicitWidth + 2 * Theme.margin, parent.width - 4 * Theme.margin)
    padding: Theme.margin
    // Not on Esc: a popup that Esc closes blocks every window shortcut outside it (Qt Quick
    // Controls' rule for such popups), so for the 8 s of an error Ctrl+Q, Ctrl+N & co. did
    // nothing. A click anywhere, or on the message itself, closes it.
    closePolicy: Popup.CloseOnPressOutside
    background: Rectangle { radius: Theme.radius; color: root.isError ? "#b3261e" : "#323232"; opacity: 0.95 }
    contentItem: Label {
        id: label
        color: "white"
        wrapMode: Text.Wrap
        Accessible.role: Accessible.AlertMessage
    }
    TapHandler { onTapped: root.close() }
    Timer { id: timer; onTriggered: root.close() }
}
