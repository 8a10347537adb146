pragma Singleton
import QtQuick

// The keys of the app's text fields that send or save (the message field, the message editor,
// the system prompt editor), in one place so that they all agree.
QtObject {
    // Enter sends or saves; Shift+Enter adds a line.
    function submits(event) {
        return (event.key === Qt.Key_Return || event.key === Qt.Key_Enter) && !(event.modifiers & Qt.ShiftModifier)
    }
}
