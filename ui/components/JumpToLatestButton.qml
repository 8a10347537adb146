import QtQuick
import QtQuick.Controls
import FalconChat.Ui

// "↓" in the corner of a message list that the user scrolled up in: back to the newest message,
// and following a streaming reply again. `view` is a ListView with a `following` property (it
// keeps to the end while true). Hidden at the end, and while a followed reply streams.
RoundButton {
    id: root
    required property ListView view
    property bool streaming: false
    signal jumped()

    // How far the view's bottom edge is above the end of its content, in pixels.
    readonly property real distanceFromEnd: view.originY + view.contentHeight + view.bottomMargin
                                            - (view.contentY + view.height)
    objectName: "jumpToLatestButton"
    anchors.right: parent.right
    anchors.bottom: parent.bottom
    anchors.margins: Theme.margin
    visible: view.count > 0 && distanceFromEnd > Theme.margin * 3 && !(view.following && streaming)
    text: "\u2193"  // ↓
    font.pixelSize: Theme.titleFontSize
    highlighted: true
    Accessible.name: qsTr("Jump to the latest message")
    ToolTip.visible: hovered
    ToolTip.delay: 600
    ToolTip.text: qsTr("Jump to the latest message")
    onClicked: {
        view.following = true
        view.positionViewAtEnd()
        root.jumped()
    }
}
