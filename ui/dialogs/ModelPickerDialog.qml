import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import FalconChat.Core
import FalconChat.Ui

// Choose a checkpoint folder, see what it holds, pick backend and weight format, load it.
// The load runs on the worker thread: the progress bar moves, Cancel stops it, and a failure
// is shown here in words while the rest of the window keeps working.
AppDialog {
    id: root
    title: qsTr("Model")
    focus: true  // so that Esc closes it (a popup only sees keys while it has focus)
    anchors.centerIn: parent
    width: Math.min(parent.width - 4 * Theme.margin, 560)
    property var info: ({})
    property string folder: ""
    // The quantized weights saved between loads (all models): shown with a way to remove them.
    property var cacheUsage: ({files: 0})
    property var cacheFiles: []
    property bool cacheFilesShown: false
    function refreshCacheUsage() {
        cacheUsage = ChatController.quantCacheUsage()
        cacheFiles = cacheFilesShown ? ChatController.quantCacheFiles() : []
    }
    Connections {
        target: ChatController
        enabled: root.visible  // closed, it scans nothing; opening refreshes
        function onModelChanged() { root.refreshCacheUsage() }  // a finished load may have saved some
    }

    // path: a folder's path (or a file URL, taken apart once here): `folder` is always a path.
    function inspect(path) {
        folder = path.startsWith("file:") ? ChatController.localPath(path) : path
        info = ChatController.inspectModel(ChatController.fileUrl(folder))
    }
    // Opens the dialog on `path` (a folder, or a file in one: a folder dragged onto the window).
    property string pendingFolder: ""
    function openAt(path) {
        if (opened) {
            inspect(path)
        } else {
            pendingFolder = path
            open()
        }
    }
    // Opens on the folder asked for by openAt, else on the model in use (or loading, or that
    // failed), as it was asked for; with none, on the bundled model.
    onOpened: {
        refreshCacheUsage()
        if (pendingFolder.length > 0) {
            inspect(pendingFolder)
            pendingFolder = ""
        } else if (ChatController.modelDir.length > 0) {
            inspect(ChatController.modelDir)
            backendBox.currentIndex = Math.max(0, backendBox.values.indexOf(ChatController.modelBackendChoice))
            weightsBox.currentIndex = Math.max(0, weightsBox.values.indexOf(ChatController.modelWeightsChoice))
        } else if (folder.length === 0) {
            const bundled = ChatController.bundledModels()
            if (bundled.length > 0)
                inspect(bundled[0])
        }
    }

    ModelFolderBrowser {
        id: folderDialog
        parent: Overlay.overlay
        onChosen: (path) => root.inspect(path)
    }

    // Fills the form with a model loaded before (or a bundled one), as it was asked for then.
    function pickRecent(entry) {
        inspect(entry.dir)
        backendBox.currentIndex = Math.max(0, backendBox.values.indexOf(entry.backend))
        weightsBox.currentIndex = Math.max(0, weightsBox.values.indexOf(entry.weights))
    }
    function recentText(entry) {
        const how = entry.weights + (entry.backend === "cpu" ? qsTr(", CPU") : entry.backend === "cuda" ? qsTr(", GPU") : "")
        // The folder's name goes in last, so that a "%1" in it is not taken for a placeholder.
        return entry.bundled ? qsTr("%2 (bundled, %1)").arg(how).arg(entry.name) : qsTr("%2 (%1)").arg(how).arg(entry.name)
    }

    // Scrolls when the window is too low for all of it (the saved files' list open, a small
    // window): Load stays reachable.
    height: Math.min(implicitHeight, parent.height - 2 * Theme.margin)
    ScrollView {
        id: scroller
        anchors.fill: parent
        contentWidth: availableWidth
        ColumnLayout {
            // A gutter for the scroll bar (on the left in a right-to-left language), so that it
            // never covers a control. (Sizing it by whether the bar is needed feeds back into the
            // content's height through its wrapped text.)
            readonly property real gutter: Theme.spacing + 4
            x: scroller.mirrored ? gutter : 0
            width: scroller.availableWidth - gutter
            spacing: Theme.spacing

            RowLayout {
                Layout.fillWidth: true
                visible: ChatController.recentModels.length > 0
                Label { text: qsTr("Recent") }
                ComboBox {
                    id: recentBox
                    objectName: "recentModelsBox"
                    Layout.fillWidth: true
                    model: ChatController.recentModels.map(e => root.recentText(e))
                    // Shows the entry of the folder in view, or asks for a choice.
                    currentIndex: ChatController.recentModels.findIndex(
                                      e => e.dir.replace(/\/+$/, "") === root.folder.replace(/\/+$/, ""))
                    displayText: currentIndex >= 0 ? currentText : qsTr("Models loaded before…")
                    Accessible.name: qsTr("Models loaded before")
                    onActivated: (index) => root.pickRecent(ChatController.recentModels[index])
                }
            }

            RowLayout {
                Layout.fillWidth: true
                Label {
                    Layout.fillWidth: true
                    text: root.folder.length > 0 ? root.folder : qsTr("No folder chosen")
                    elide: Text.ElideMiddle
                }
                Button {
                    objectName: "chooseFolderButton"
                    text: qsTr("Choose folder…")
                    Accessible.name: qsTr("Choose a model folder")
                    onClicked: {
                        // Starts beside the model in view: in the folder that holds model folders.
                        const shown = root.folder.replace(/\/+$/, "")
                        folderDialog.startFolder = shown.lastIndexOf("/") > 0 ? shown.substring(0, shown.lastIndexOf("/")) : ""
                        folderDialog.open()
                    }
                }
            }

            GridLayout {
                visible: root.info.ok === true
                columns: 2
                columnSpacing: Theme.margin
                Label { text: qsTr("Architecture"); color: Theme.subtleText }
                Label { text: root.info.variant || ""; Layout.fillWidth: true; wrapMode: Text.Wrap }
                Label { text: qsTr("Parameters"); color: Theme.subtleText }
                Label { text: root.info.parametersText || "" }
                Label { text: qsTr("Weights"); color: Theme.subtleText }
                Label { text: root.info.dtype || "" }
                Label { text: qsTr("Tokenizer"); color: Theme.subtleText }
                Label { text: root.info.tokenizer ? root.info.tokenizer : qsTr("none found") }
                Label { text: qsTr("Context length"); color: Theme.subtleText }
                Label { text: root.info.contextLength ? qsTr("%1 tokens").arg(root.info.contextLength) : "" }
            }
            Label {
                objectName: "inspectError"
                Layout.fillWidth: true
                visible: (root.info.error || root.info.warning || "").length > 0
                text: root.info.error || root.info.warning || ""
                wrapMode: Text.Wrap
                color: "#c62828"
            }
            // The folder chosen was one above the model's (the Hugging Face cache's
            // models--org--name, a folder holding one model), or a file of the model was chosen
            // (dropped on the window): one click takes the model's folder.
            Button {
                objectName: "useSuggestedFolder"
                visible: (root.info.suggestedDir || "").length > 0
                text: qsTr("Use that folder")  // the message above names it
                Accessible.name: qsTr("Use the model folder named above")
                onClicked: root.inspect(root.info.suggestedDir)
            }

            // One grid, so that both boxes start at the same x whatever the labels' lengths.
            GridLayout {
                Layout.fillWidth: true
                columns: 2
                columnSpacing: Theme.margin
                Label { text: qsTr("Run on") }
                ComboBox {
                    id: backendBox
                    objectName: "backendBox"
                    model: [qsTr("Automatic (GPU if available)"), qsTr("CPU"), qsTr("GPU (CUDA)")]
                    readonly property var values: ["auto", "cpu", "cuda"]
                    Accessible.name: qsTr("Backend")
                    Layout.fillWidth: true
                }
                Label { text: qsTr("Weights") }
                ComboBox {
                    id: weightsBox
                    objectName: "weightsBox"
                    model: [qsTr("bf16 (exact)"), qsTr("int8 (half the memory)"), qsTr("int4 (a quarter)")]
                    readonly property var values: ["bf16", "int8", "int4"]
                    Accessible.name: qsTr("Weight format")
                    Layout.fillWidth: true
                }
            }
            // int8/int4 run on every backend. Both quantize at the first load of a checkpoint and keep
            // the result in a cache file for the next one; on the CPU that first load is long.
            Label {
                objectName: "weightsHint"
                Layout.fillWidth: true
                visible: weightsBox.currentIndex > 0 && backendBox.currentIndex === 1
                text: qsTr("int8 and int4 are quantized the first time the model loads, which takes a moment on the CPU; later loads read them from a cache.")
                wrapMode: Text.Wrap
                font.pixelSize: Theme.smallFontSize
                color: Theme.subtleText
            }

            RowLayout {
                objectName: "quantCacheRow"
                Layout.fillWidth: true
                visible: root.cacheUsage.files > 0
                Label {
                    Layout.fillWidth: true
                    text: qsTr("Saved quantized weights: %1").arg(root.cacheUsage.text || "")
                    wrapMode: Text.Wrap
                    font.pixelSize: Theme.smallFontSize
                    color: Theme.subtleText
                }
                Button {
                    objectName: "showQuantCacheFilesButton"
                    text: root.cacheFilesShown ? qsTr("Hide files") : qsTr("Files…")
                    flat: true
                    Accessible.name: root.cacheFilesShown ? qsTr("Hide the saved files") : qsTr("Show the saved files one by one")
                    onClicked: {
                        root.cacheFilesShown = !root.cacheFilesShown
                        root.refreshCacheUsage()
                    }
                }
                Button {
                    objectName: "clearQuantCacheButton"
                    text: qsTr("Remove all")
                    flat: true
                    Accessible.name: qsTr("Remove the saved quantized weights of all models")
                    ToolTip.visible: hovered
                    ToolTip.text: qsTr("Frees the disk space; the next int8 or int4 load of each model quantizes it again.")
                    onClicked: {
                        ChatController.clearQuantCache()
                        root.refreshCacheUsage()
                    }
                }
            }
            // One row per saved file (a model moved to another folder leaves its old file behind:
            // the same name twice, the older one to remove).
            ListView {
                objectName: "quantCacheFiles"
                Layout.fillWidth: true
                // A few rows at a time, scrolled: the dialog must keep its Load button in a small window.
                Layout.preferredHeight: Math.min(contentHeight, 3.5 * Theme.baseFontSize * 2.6)
                visible: root.cacheFilesShown && root.cacheUsage.files > 0
                clip: true
                boundsBehavior: Flickable.StopAtBounds
                ScrollBar.vertical: ScrollBar {}
                model: root.cacheFiles
                delegate: RowLayout {
                    required property var modelData
                    width: ListView.view.width
                    Label {
                        Layout.fillWidth: true
                        text: qsTr("%4 — %1 · %2 · saved %3").arg(modelData.what).arg(modelData.sizeText)
                              .arg(modelData.writtenText).arg(modelData.model)  // the name last: see recentText
                        elide: Text.ElideMiddle
                        font.pixelSize: Theme.smallFontSize
                        ToolTip.visible: fileHover.hovered
                        ToolTip.text: modelData.path
                        HoverHandler { id: fileHover }
                    }
                    Button {
                        text: qsTr("Remove")
                        flat: true
                        font.pixelSize: Theme.smallFontSize
                        Accessible.name: qsTr("Remove the saved weights of %1 (%2)").arg(modelData.model).arg(modelData.what)
                        onClicked: {
                            ChatController.removeQuantCacheFile(modelData.path)
                            root.refreshCacheUsage()
                        }
                    }
                }
            }

            RowLayout {
                Layout.fillWidth: true
                visible: ChatController.modelState === "loading"
                ProgressBar {
                    Layout.fillWidth: true
                    value: ChatController.loadProgress
                    Accessible.name: qsTr("Model loading progress")
                }
                Button {
                    objectName: "cancelLoadButton"
                    text: qsTr("Cancel")
                    Accessible.name: qsTr("Cancel loading")
                    onClicked: ChatController.cancelLoad()
                }
            }
            Label {
                objectName: "modelErrorLabel"
                Layout.fillWidth: true
                visible: ChatController.modelState !== "loading" && ChatController.modelError.length > 0
                text: ChatController.modelError
                wrapMode: Text.Wrap
                color: "#c62828"
            }
            Label {
                Layout.fillWidth: true
                visible: ChatController.modelState === "ready"
                text: qsTr("Loaded: %2 — %1").arg(ChatController.statusText).arg(ChatController.modelName)  // the name last: see recentText
                wrapMode: Text.Wrap
            }
        }
    }

    // Load beside Close, below what scrolls: always in reach.
    property alias loadButton: loadButton
    footer: Pane {
        padding: Theme.margin
        background: null
        RowLayout {
            anchors.fill: parent
            spacing: Theme.spacing
            Item { Layout.fillWidth: true }
            Button {
                id: loadButton
                objectName: "loadButton"
                text: qsTr("Load")
                highlighted: true
                enabled: root.info.ok === true && ChatController.modelState !== "loading"
                Accessible.name: qsTr("Load this model")
                // The dialog stays open: the progress shows in it.
                onClicked: ChatController.loadModel(ChatController.fileUrl(root.info.dir),
                                                    backendBox.values[backendBox.currentIndex],
                                                    weightsBox.values[weightsBox.currentIndex])
            }
            Button {
                objectName: "closeModelDialogButton"
                text: qsTr("Close")
                flat: true
                onClicked: root.close()
            }
        }
    }
}
