import QtQuick
import FalconChat.Core

// Takes files dragged from the file manager onto the window: the first one's local path goes out
// as pathDropped (what it is decides what happens: ChatController.dropKind). Drags without file
// URLs (text, a web link) are not taken, so they reach what lies above it (the message fields).
DropArea {
    id: root
    signal pathDropped(string path)
    // The local path of the first URL if it is a local file; "" otherwise.
    function pathOf(urls) {
        if (!urls || urls.length === 0)
            return ""
        const path = ChatController.localPath(urls[0])
        return path.startsWith("/") ? path : ""
    }
    onEntered: (drag) => { drag.accepted = drag.hasUrls && root.pathOf(drag.urls).length > 0 }
    onDropped: (drop) => {
        const path = drop.hasUrls ? root.pathOf(drop.urls) : ""
        if (path.length === 0)
            return
        root.pathDropped(path)
        drop.accept()
    }
}
