import QtQuick
import QtTest
import FalconChat.Ui

// TransferBar (an export or import running on its thread): hidden for a short job, then what it
// does and how far it is, Cancel for an import (also one waiting behind an export); gone when
// the job ends.
TestCase {
    id: test
    name: "TransferBar"
    width: 700
    height: 300
    visible: true
    when: windowShown

    QtObject {
        id: job
        property bool busy: false
        property string kind: ""
        property int done: 0
        property int total: 0
        property int file: 0
        property int files: 0
        property int imports: 0
        property int cancels: 0
        function cancel() { ++cancels }
    }

    TransferBar {
        id: bar
        transfer: job
        showAfterMs: 150
    }

    function init() {
        job.busy = false
        job.kind = ""
        job.done = job.total = job.file = job.files = job.imports = job.cancels = 0
        tryCompare(bar, "visible", false)
    }

    function test_an_import_shows_its_progress_and_can_be_cancelled() {
        job.busy = true
        job.kind = "import"
        job.imports = 1
        job.file = 1
        job.files = 1
        verify(!bar.visible, "not at once: a small file never flashes it")
        tryCompare(bar, "visible", true)
        compare(findChild(bar, "transferText").text, "Reading the file…")
        verify(!findChild(bar, "transferProgress").visible)
        job.total = 5000
        job.done = 1200
        compare(findChild(bar, "transferText").text,
                "Importing conversations: " + Number(1200).toLocaleString(Qt.locale(), "f", 0) + " of "
                + Number(5000).toLocaleString(Qt.locale(), "f", 0))
        const progress = findChild(bar, "transferProgress")
        verify(progress.visible)
        compare(progress.value, 1200)
        compare(progress.to, 5000)
        const cancel = findChild(bar, "cancelTransferButton")
        verify(cancel.visible)
        compare(cancel.text, "Cancel")
        mouseClick(cancel)
        compare(job.cancels, 1)
        job.busy = false
        compare(bar.visible, false)
    }

    function test_several_files_are_counted() {
        job.busy = true
        job.kind = "import"
        job.imports = 1
        job.file = 2
        job.files = 3
        tryCompare(bar, "visible", true)
        compare(findChild(bar, "transferText").text, "Reading file 2 of 3…")
        job.total = 10
        job.done = 4
        compare(findChild(bar, "transferText").text, "Importing conversations: 4 of 10 (file 2 of 3)")
    }

    function test_an_export_has_no_cancel_and_a_quick_job_shows_nothing() {
        job.busy = true
        job.kind = "export"
        tryCompare(bar, "visible", true)
        compare(findChild(bar, "transferText").text, "Exporting conversations…")
        verify(!findChild(bar, "cancelTransferButton").visible)
        job.busy = false
        verify(!bar.visible)
        // Done before showAfterMs: never shown, and not shown late either.
        job.busy = true
        job.busy = false
        wait(300)
        verify(!bar.visible)
    }

    function test_an_import_waiting_behind_an_export_can_be_cancelled() {
        job.busy = true
        job.kind = "export"
        job.imports = 1
        tryCompare(bar, "visible", true)
        compare(findChild(bar, "transferText").text, "Exporting conversations… An import waits.")
        const cancel = findChild(bar, "cancelTransferButton")
        verify(cancel.visible)
        compare(cancel.text, "Cancel import")
        mouseClick(cancel)
        compare(job.cancels, 1)
        job.imports = 0  // dropped; the export goes on
        verify(!cancel.visible)
        compare(findChild(bar, "transferText").text, "Exporting conversations…")
        verify(bar.visible)
    }
}
