import QtQuick
import FalconChat.Core

// Takes files dragged from the file manager onto the window: their local paths go out as
// pathsDropped (what they are decides what happens: ChatController.dropKind). Drags without local
// file URLs (text, a web link) are not taken, so they reach what lies above it (the message fields).
DropArea {
    id: root
    signal pathsDropped(var paths)
    // The local paths among the URLs (web links left out).
    function pathsOf(urls) {
        const paths = []
        for (let i = 0; urls && i < urls.length; ++i) {
            const path = ChatController.localPath(urls[i])
            if (path.startsWith("/"))
                paths.push(path)
        }
        return paths
    }
    onEntered: (drag) => { drag.accepted = drag.hasUrls && root.pathsOf(drag.urls).length > 0 }
    onDropped: (drop) => {
        const paths = drop.hasUrls ? root.pathsOf(drop.urls) : []
        if (paths.length === 0)
            return
        root.pathsDropped(paths)
        drop.accept()
    }
}
