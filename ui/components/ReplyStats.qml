import QtQuick
import QtQuick.Controls
import FalconChat.Ui

// Under a reply: the model that wrote it, tokens, time to first token, speed and why it stopped
// (a reply imported from another app: only its model, where that app recorded one).
Label {
    id: root
    property var tokenCount
    property var ttftMs
    property var tokensPerS
    property string stopReason
    property string model  // "" where not recorded
    font.pixelSize: Theme.smallFontSize
    color: Theme.subtleText

    function reasonText(r) {
        switch (r) {
        case "eos": return qsTr("finished")
        case "stop_string": return qsTr("stop string")
        case "length": return qsTr("length limit")
        case "cancelled": return qsTr("stopped")
        case "interrupted": return qsTr("interrupted")
        case "error": return qsTr("error")
        default: return r
        }
    }
    text: {
        // The model's name in a directional isolate (U+2068 ... U+2069): a Latin name first must not
        // make an Arabic line left-to-right (the line's direction comes from its first letter
        // outside isolates).
        const parts = root.model.length > 0 ? ["\u2068" + root.model + "\u2069"] : []
        if (stopReason.length === 0)  // imported: no counts, no reason (they would read as 0 and "")
            return parts.join("")
        parts.push(qsTr("%n token(s)", "", Number(tokenCount || 0)))
        if (ttftMs !== undefined && ttftMs !== null)
            parts.push(qsTr("TTFT %1 ms").arg(Math.round(ttftMs)))
        if (tokensPerS !== undefined && tokensPerS !== null)
            parts.push(qsTr("%1 tok/s").arg(Number(tokensPerS).toFixed(1)))
        parts.push(reasonText(stopReason))
        return parts.join(" · ")
    }
}
