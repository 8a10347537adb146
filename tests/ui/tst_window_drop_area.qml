import QtQuick
import QtTest
import FalconChat.Core
import FalconChat.Ui

// WindowDropArea (the window's drop target): dropped file URLs become their local paths, a '#' and a
// '%' in it intact; a web link or nothing dropped, nothing out. (QtQuickTest cannot make an
// external drag with URLs: test_window_drop.cpp drops on the real window.)
TestCase {
    id: test
    name: "WindowDropArea"
    width: 400
    height: 300
    visible: true
    when: windowShown

    WindowDropArea {
        id: area
        anchors.fill: parent
    }

    function test_dropped_urls_become_their_paths() {
        const folder = testTree + "/C# 100% models/falcon-mini"
        compare(area.pathsOf([ChatController.fileUrl(folder)]), [folder])
        compare(area.pathsOf([ChatController.fileUrl(folder).toString()]), [folder], "as a string too")
        compare(area.pathsOf([ChatController.fileUrl(folder), ChatController.fileUrl("/tmp")]), [folder, "/tmp"],
                "all of several, in order")
        compare(area.pathsOf(["https://example.org/falcon-7b"]), [], "a web link is not a file")
        compare(area.pathsOf(["https://example.org/a.json", ChatController.fileUrl("/tmp")]), ["/tmp"],
                "only the files among them")
        compare(area.pathsOf([]), [])
        compare(area.pathsOf(undefined), [])
    }
}
