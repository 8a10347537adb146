import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import QtQuick.Controls.Material
import FalconChat.Ui

// An export or import running on its thread (ChatController.transfer): what it does, how far it
// is, and Cancel for an import, running or waiting behind an export. Shown only once it has run
// for showAfterMs, so a small file never flashes it.
Pane {
    id: root
    // ChatController.transfer, or a stand-in with the same properties (tests).
    required property var transfer
    property int showAfterMs: 400
    readonly property bool importing: transfer.kind === "import"
    // Imports running or waiting: what Cancel stops (an export always finishes).
    readonly property bool cancellable: transfer.imports > 0
    readonly property string text: {
        if (transfer.kind === "export")
            return cancellable ? qsTr("Exporting conversations… An import waits.")
                               : qsTr("Exporting conversations…")
        if (!importing)
            return ""
        const several = transfer.files > 1
        if (transfer.total === 0)
            return several ? qsTr("Reading file %1 of %2…").arg(transfer.file).arg(transfer.files)
                           : qsTr("Reading the file…")
        const done = transfer.done.toLocaleString(Qt.locale(), "f", 0)
        const total = transfer.total.toLocaleString(Qt.locale(), "f", 0)
        return several ? qsTr("Importing conversations: %1 of %2 (file %3 of %4)").arg(done).arg(total)
                                                                                 .arg(transfer.file).arg(transfer.files)
                       : qsTr("Importing conversations: %1 of %2").arg(done).arg(total)
    }
    visible: shown && transfer.busy
    property bool shown: false
    Timer {
        id: delay
        interval: root.showAfterMs
        running: root.transfer.busy
        onTriggered: root.shown = true
    }
    Connections {
        target: root.transfer
        function onBusyChanged() { if (!root.transfer.busy) root.shown = false }
    }
    Material.elevation: 6
    padding: Theme.spacing
    Accessible.role: Accessible.StatusBar
    Accessible.name: root.text
    RowLayout {
        spacing: Theme.margin
        BusyIndicator {
            Layout.preferredWidth: 24
            Layout.preferredHeight: 24
            running: root.visible
            visible: !root.importing || root.transfer.total === 0
        }
        ColumnLayout {
            spacing: 2
            Label { objectName: "transferText"; text: root.text; Layout.maximumWidth: 420; elide: Text.ElideRight }
            ProgressBar {
                objectName: "transferProgress"
                Layout.fillWidth: true
                visible: root.importing && root.transfer.total > 0
                from: 0
                to: Math.max(1, root.transfer.total)
                value: root.transfer.done
            }
        }
        Button {
            objectName: "cancelTransferButton"
            visible: root.cancellable
            text: root.importing ? qsTr("Cancel") : qsTr("Cancel import")
            flat: true
            highlighted: true
            Accessible.name: qsTr("Cancel the import")
            onClicked: root.transfer.cancel()
        }
    }
}
