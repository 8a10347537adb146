import QtQuick
import FalconChat.Core
import FalconChat.Ui

// A message's text as the chat shows it, prose or code: read-only, selectable with the mouse,
// in the theme's colours, with a right-click menu (Copy, Select all) and the window's shortcuts
// working while it has the focus (Qt 6.4's read-only TextEdit took every key from them).
TextEdit {
    id: root
    readOnly: true
    selectByMouse: true
    color: Theme.text
    selectionColor: Theme.selection
    Accessible.role: Accessible.StaticText
    Accessible.readOnly: true

    ShortcutsPass { item: root }
    TapHandler { acceptedButtons: Qt.RightButton; onTapped: menu.popup() }
    TextContextMenu { id: menu; view: root }
}
