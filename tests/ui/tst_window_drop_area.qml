import QtQuick
import QtTest
import FalconChat.Core
import FalconChat.Ui

// WindowDropArea (the window's drop target): a dropped file URL becomes its local path, a '#' and a
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

    function test_a_dropped_url_becomes_its_path() {
        const folder = testTree + "/C# 100% models/falcon-mini"
        compare(area.pathOf([ChatController.fileUrl(folder)]), folder)
        compare(area.pathOf([ChatController.fileUrl(folder).toString()]), folder, "as a string too")
        compare(area.pathOf([ChatController.fileUrl(folder), ChatController.fileUrl("/tmp")]), folder,
                "the first of several")
        compare(area.pathOf(["https://example.org/falcon-7b"]), "", "a web link is not a file")
        compare(area.pathOf([]), "")
        compare(area.pathOf(undefined), "")
    }
}
