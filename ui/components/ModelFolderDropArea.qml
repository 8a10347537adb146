import QtQuick
import FalconChat.Core

// Takes a model folder (or a file of one) dragged from the file manager: its first URL's local
// path goes out as folderDropped. Drags without URLs (text) are not taken, so they reach what
// lies above it (the message fields).
DropArea {
    id: root
    signal folderDropped(string path)
    // The local path of a drop's first URL; "" for none.
    function pathOf(urls) {
        return urls && urls.length > 0 ? ChatController.localPath(urls[0]) : ""
    }
    onEntered: (drag) => { drag.accepted = drag.hasUrls }
    onDropped: (drop) => {
        const path = drop.hasUrls ? root.pathOf(drop.urls) : ""
        if (path.length === 0)
            return
        root.folderDropped(path)
        drop.accept()
    }
}
