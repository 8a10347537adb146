import QtQuick
import QtTest
import FalconChat.Core
import FalconChat.Ui

// A message's height as soon as its delegate is created, and MessageContent's prose while its
// width is not known yet. A long pasted message froze the window twice over: wrapped at the
// width of 0 that a layout gives first, a paragraph was laid out one character a line (26,000
// characters: minutes at 100% CPU); and a delegate that was created one line high and grew a pass
// later made the list, which follows a streaming reply to its end, destroy and re-create it
// without end (about a thousand times a frame, memory growing).
TestCase {
    id: test
    name: "MessageContent"
    width: 800
    height: 600
    visible: true
    when: windowShown

    Component {
        id: contentComponent
        MessageContent { width: 600 }
    }

    // The window's shortcuts, as Main.qml has them (Ctrl+C is none of them: the text's own).
    property var fired: []
    Shortcut { sequence: "Ctrl+N"; onActivated: test.fired.push("new") }
    Shortcut { sequence: "F1"; onActivated: test.fired.push("help") }
    Shortcut { sequence: "Esc"; onActivated: test.fired.push("stop") }
    Shortcut { sequence: StandardKey.Copy; onActivated: test.fired.push("copy") }

    Component {
        id: delegateComponent
        MessageDelegate {
            width: 600
            messageId: 1
            role: "user"
            streaming: false
            siblingIndex: 0
            siblingCount: 1
            tokenCount: 0
            ttftMs: 0
            tokensPerS: 0
            stopReason: ""
            errorText: ""
            canContinue: false
            answeredTokens: undefined
            answeredCut: undefined
            replyModel: ""
            createdAt: undefined
        }
    }

    function words(n) {
        const a = []
        for (let i = 0; i < n; ++i)
            a.push("word" + i)
        return a.join(" ")
    }

    function findProse(item) {
        for (let i = 0; i < item.children.length; ++i) {
            const c = item.children[i]
            if (c.objectName === "prose")
                return c
            const found = findProse(c)
            if (found)
                return found
        }
        return null
    }

    function test_no_wrapping_at_zero_width_data() {
        return [{ tag: "typed (plain)", plain: true }, { tag: "reply (Markdown)", plain: false }]
    }

    function test_no_wrapping_at_zero_width(data) {
        const content = createTemporaryObject(contentComponent, test, { plain: data.plain, text: words(300) })
        const prose = findProse(content)
        verify(prose)
        tryVerify(() => prose.width > 500)
        const wrapped = prose.lineCount
        verify(wrapped > 10 && wrapped < 100, "wrapped at 600 px: " + wrapped + " lines")
        content.width = 0  // what a layout does before it knows the width
        compare(prose.width, 0)
        compare(prose.lineCount, 1)
        content.width = 600
        compare(prose.lineCount, wrapped)
    }

    function test_a_delegate_is_as_high_as_its_text_from_the_start_data() {
        return [{ tag: "typed (plain)", role: "user" }, { tag: "reply (Markdown)", role: "assistant" }]
    }

    function test_a_delegate_is_as_high_as_its_text_from_the_start(data) {
        const item = createTemporaryObject(delegateComponent, test, { role: data.role, text: words(700) })
        const first = item.implicitHeight  // what a list sees when it creates the delegate
        waitForRendering(item)
        verify(item.implicitHeight > 500, "laid out: " + item.implicitHeight)
        fuzzyCompare(first, item.implicitHeight, 1)
    }

    function findNamed(item, name) {
        for (let i = 0; i < item.children.length; ++i) {
            const c = item.children[i]
            if (c.objectName === name)
                return c
            const found = findNamed(c, name)
            if (found)
                return found
        }
        return null
    }

    // Under a reply to a message longer than the window: how much of it the model saw; nothing
    // where all of it fitted or nothing was recorded, nor under the message itself.
    function test_a_reply_says_how_much_of_a_long_message_it_saw_data() {
        return [{ tag: "cut", role: "assistant", tokens: 13903, cut: 13394, shown: true },
                { tag: "fitted", role: "assistant", tokens: 40, cut: 0, shown: false },
                { tag: "not recorded", role: "assistant", tokens: undefined, cut: undefined, shown: false },
                { tag: "the message", role: "user", tokens: 13903, cut: 13394, shown: false }]
    }

    function test_a_reply_says_how_much_of_a_long_message_it_saw(data) {
        const item = createTemporaryObject(delegateComponent, test, {
            role: data.role, text: "an answer", stopReason: data.role === "user" ? "" : "eos",
            answeredTokens: data.tokens, answeredCut: data.cut })
        const note = findNamed(item, "answeredCutNote")
        verify(note)
        compare(note.visible, data.shown)
        if (data.shown) {
            verify(note.text.indexOf("509") >= 0 && note.text.indexOf("13903") >= 0, note.text)
        }
    }

    // A document's text added to a message ("text") wraps in its block, so its paragraphs read
    // whole; code keeps its lines (and scrolls sideways).
    function test_a_documents_text_wraps_and_code_does_not_data() {
        return [{ tag: "document", info: "text", wraps: true }, { tag: "code", info: "py", wraps: false },
                { tag: "no language", info: "", wraps: false }]
    }
    function test_a_documents_text_wraps_and_code_does_not(data) {
        const line = words(80)
        const content = createTemporaryObject(contentComponent, test,
                                              { plain: true, text: "a.pdf\n\n```" + data.info + "\n" + line + "\n```\n" })
        const code = findNamed(content, "codeText")
        verify(code)
        tryVerify(() => code.length > 0)
        if (data.wraps) {
            verify(code.lineCount > 1, "wrapped: " + code.lineCount + " lines")
            verify(code.width <= content.width, code.width + " within " + content.width)
        } else {
            compare(code.lineCount, 1)
            verify(code.width > content.width, "one long line, scrolled")
        }
    }

    // Not wrapped before the block has a width: at none, every character was a line of its own,
    // and sending a message with a long document took the window's thread and gigabytes while
    // the list laid it out.
    Component {
        id: codeBlockComponent
        CodeBlock { language: "text" }
    }
    function test_a_document_wraps_only_at_a_width() {
        const block = createTemporaryObject(codeBlockComponent, test, { width: 0, code: words(40), shown: words(40), lines: 1 })
        const code = findNamed(block, "codeText")
        compare(code.wrapMode, TextEdit.NoWrap)
        block.width = 500
        compare(code.wrapMode, TextEdit.Wrap)
        verify(code.width <= 500, code.width)
    }

    // A long code block in a user's message (an added file) shows its first 30 lines until asked
    // for all: laying out a 250 KB file's thousands of coloured lines took over a second each time
    // the chat was opened. A reply's code is never cut (it streams in), nor a block of 40 lines.
    // Past 2,000 lines the whole shows as plain text (coloured, 8,500 lines took 1.8 s).
    function test_a_long_block_of_a_message_shows_its_start_data() {
        return [{ tag: "user, 100 lines", plain: true, lines: 100, hidden: 70 },
                { tag: "user, 2100 lines", plain: true, lines: 2100, hidden: 2070, uncoloured: true },
                { tag: "user, 40 lines", plain: true, lines: 40, hidden: 0 },
                { tag: "reply, 100 lines", plain: false, lines: 100, hidden: 0 }]
    }
    function test_a_long_block_of_a_message_shows_its_start(data) {
        const code = []
        for (let i = 1; i <= data.lines; ++i)
            code.push("line" + i + " = " + i)
        const content = createTemporaryObject(contentComponent, test,
                                              { plain: data.plain, text: "big.py\n\n```py\n" + code.join("\n") + "\n```\n" })
        const button = findNamed(content, "showAllLinesButton")
        verify(button)
        compare(button.visible, data.hidden > 0)
        const block = button.parent.parent  // CodeBlock
        const plainText = findNamed(block, "plainCodeText"), colouredText = findNamed(block, "codeText")
        const shownText = () => plainText.visible ? plainText.text : colouredText.getText(0, colouredText.length)
        verify(shownText().indexOf("line1 ") >= 0)
        if (data.hidden === 0) {
            verify(shownText().indexOf("line" + data.lines + " ") >= 0, "every line shown")
            return
        }
        verify(shownText().indexOf("line30 ") >= 0 && shownText().indexOf("line31 ") < 0, "30 lines shown")
        compare(button.text.replace(/[^0-9]/g, ""), String(data.hidden), button.text)  // "2,070": grouped
        const shortHeight = block.implicitHeight
        mouseClick(button)
        verify(block.expanded)
        verify(shownText().indexOf("line" + data.lines + " ") >= 0, "all shown")
        compare(plainText.visible, !!data.uncoloured)
        compare(colouredText.visible, !data.uncoloured)
        compare(colouredText.length > 0, !data.uncoloured, "coloured only when shown so")
        tryVerify(() => block.implicitHeight > 2 * shortHeight, 2000, "taller: " + block.implicitHeight)
        mouseClick(button)
        verify(!block.expanded)
        tryCompare(block, "implicitHeight", shortHeight)
        verify(block.code.indexOf("line" + data.lines + " ") >= 0, "Copy still copies the whole")
    }

    // Under a reply, first, the model that wrote it; nothing where it was not recorded.
    function test_a_reply_names_its_model_data() {
        return [{ tag: "recorded", model: "falcon-7b \u00b7 int4" }, { tag: "not recorded", model: "" }]
    }
    function test_a_reply_names_its_model(data) {
        const item = createTemporaryObject(delegateComponent, test, {
            role: "assistant", text: "an answer", stopReason: "eos", tokenCount: 3, replyModel: data.model })
        const stats = findNamed(item, "replyStats")
        verify(stats && stats.visible)
        if (data.model.length > 0)
            verify(stats.text.startsWith("\u2068" + data.model + "\u2069 \u00b7 3 token"), stats.text)
        else
            verify(stats.text.startsWith("3 token"), stats.text)
    }

    // When a message was written shows while the pointer is over it: the time for today's, the date
    // too for older ones; nothing where it was not recorded.
    function test_when_a_message_was_written() {
        const now = new Date()
        const today = createTemporaryObject(delegateComponent, test, { text: "hi", createdAt: now })
        const label = findNamed(today, "sentAt")
        verify(label.visible)
        compare(label.text, now.toLocaleTimeString(Qt.locale(AppSettings.effectiveLanguage), Locale.ShortFormat))
        compare(label.opacity, 0)
        mouseMove(today, 20, 10)
        tryCompare(label, "opacity", 1)
        const older = new Date(2024, 1, 29, 9, 5)
        const before = createTemporaryObject(delegateComponent, test, { text: "hi", createdAt: older })
        const text = findNamed(before, "sentAt").text
        verify(text.indexOf(older.toLocaleTimeString(Qt.locale(AppSettings.effectiveLanguage), Locale.ShortFormat)) >= 0, text)
        verify(text.indexOf("24") >= 0, text)  // the year, as the short date gives it
        const unknown = createTemporaryObject(delegateComponent, test, { text: "hi", createdAt: undefined })
        verify(!findNamed(unknown, "sentAt").visible)
    }

    // An imported reply (ChatGPT, Open WebUI, LM Studio) has no stop reason or counts, only the model
    // its app recorded: that alone is shown, and nothing where there is none.
    function test_an_imported_reply_names_its_model_alone() {
        const item = createTemporaryObject(delegateComponent, test, {
            role: "assistant", text: "an answer", stopReason: "", tokenCount: 0, replyModel: "gpt-4o" })
        const stats = findNamed(item, "replyStats")
        verify(stats && stats.visible, "shown")
        compare(stats.text, "\u2068gpt-4o\u2069")
        const bare = createTemporaryObject(delegateComponent, test, {
            role: "assistant", text: "an answer", stopReason: "", tokenCount: 0, replyModel: "" })
        verify(!findNamed(bare, "replyStats").visible, "nothing to say")
    }

    function proseStyleOf(content) {
        const prose = findProse(content)
        for (let i = 0; i < prose.resources.length; ++i) {
            if (prose.resources[i].objectName === "proseStyle")
                return prose.resources[i]
        }
        return null
    }

    // A reply's Markdown tables are styled in the view (ProseStyle: padded cells, one grid), also
    // while the reply streams in; a user's own message is plain text and has none.
    function test_a_replys_tables_are_styled() {
        const table = "| model | size |\n|---|---:|\n| falcon-7b | 7 B |\n"
        const content = createTemporaryObject(contentComponent, test, { plain: false, text: "Sizes:\n\n" + table })
        const styler = proseStyleOf(content)
        verify(styler)
        compare(styler.tables, 1)
        const prose = findProse(content)
        const padded = prose.contentHeight
        styler.padding = 0
        verify(prose.contentHeight < padded, "the padding is laid out: " + prose.contentHeight + " < " + padded)
        content.text = "Sizes:\n\n" + table + "\nAnd:\n\n" + table  // the reply grows
        compare(proseStyleOf(content).tables, 2)
        const typed = createTemporaryObject(contentComponent, test, { plain: true, text: "Sizes:\n\n" + table })
        compare(proseStyleOf(typed).tables, 0)
    }

    function allProse(item, out) {
        for (let i = 0; i < item.children.length; ++i) {
            const c = item.children[i]
            if (c.objectName === "prose")
                out.push(c)
            allProse(c, out)
        }
        return out
    }

    // A model's steps with a code block after each: every step keeps its number (Qt 6.4 started
    // each prose segment's list at 1), from the start, and the code inside the list items is a
    // code block.
    function test_steps_between_code_blocks_keep_their_numbers() {
        const text = "1. Install:\n   ```sh\n   pip install x\n   ```\n2. Run:\n    ```sh\n    x --go\n    ```\n3. Done.\n"
        const content = createTemporaryObject(contentComponent, test, { plain: false, text: text })
        const proses = allProse(content, [])
        compare(proses.length, 3)
        // At once, not from the event loop: the frame that first shows the reply shows its numbers.
        verify(proses[1].getText(0, proses[1].length).startsWith("2. Run"), proses[1].getText(0, proses[1].length))
        verify(proses[2].getText(0, proses[2].length).startsWith("3. Done"))
        compare(proses[0].getText(0, proses[0].length), "Install:")  // starts at 1: Qt's own marker
        verify(findNamed(content, "codeText").text.indexOf("pip install x") >= 0)
    }

    // A reply's formulas as the view shows them, at once (the frame that first shows the reply has
    // no TeX and no formula mark left), while it streams in, and to a screen reader: the shown
    // text, not the Markdown with its escapes and marks.
    function test_a_replys_formulas_are_shown_as_math() {
        const content = createTemporaryObject(contentComponent, test,
                                              { plain: false, text: "Area $\\pi r^2$ and a\\_b" })
        const shown = () => findProse(content).getText(0, findProse(content).length)
        compare(shown(), "Area \u03c0r2 and a_b")
        compare(findProse(content).Accessible.name, shown())
        content.text = "Area $\\pi r^2$, so $x_1 \\leq"  // streaming: the open formula as typed so far
        compare(shown(), "Area \u03c0r2, so $x_1 \\leq")
        content.text += " 2$."
        compare(shown(), "Area \u03c0r2, so x1 \u2264 2.")
        compare(findProse(content).Accessible.name, shown())
        for (const c of findProse(content).Accessible.name)
            verify(c.charCodeAt(0) < 0xfde0 || c.charCodeAt(0) > 0xfdef, "no mark left")
    }

    // A streaming reply updates its last segment and adds new ones; the views of the segments
    // before stay as they are (re-creating every paragraph and code block each frame cost more
    // the longer the reply: 27 ms a frame at 5,000 characters), and the growing paragraph shows
    // the new text, styled (its list numbers, its formulas) in the same frame.
    // A reply's text clicked (to select some of it) keeps the window's shortcuts working: Qt 6.4's
    // read-only TextEdit took every key from them (ShortcutsPass). Copy stays the text's own.
    function test_shortcuts_work_while_a_reply_has_the_focus() {
        const content = createTemporaryObject(contentComponent, test, { plain: false,
            text: "Some **prose** to select.\n\n```py\nx = 1\n```\n" })
        const views = [findProse(content), findNamed(content, "codeText")]
        for (const view of views) {
            verify(view)
            mouseClick(view, 10, view.height / 2)
            if (view === views[1])  // (the code's ScrollView may keep the click offscreen)
                view.forceActiveFocus()
            verify(view.activeFocus, view.objectName)
            test.fired = []
            keyClick(Qt.Key_N, Qt.ControlModifier)
            keyClick(Qt.Key_F1)
            keyClick(Qt.Key_Escape)
            keyClick(Qt.Key_C, Qt.ControlModifier)
            compare(test.fired, ["new", "help", "stop"], view.objectName)
        }
    }

    // A message's text right-clicked: a menu with Copy (only with a selection) and Select all, in
    // prose and in code.
    function test_a_right_click_offers_copy_and_select_all() {
        const content = createTemporaryObject(contentComponent, test, { plain: false,
            text: "Some **prose** to select.\n\n```py\nx = 1\n```\n" })
        for (const view of [findProse(content), findNamed(content, "codeText")]) {
            const loader = findNamed(view, "textMenu")
            verify(loader, view.objectName)
            verify(!loader.item, "made at the first right click, not with the view")
            view.deselect()
            mouseClick(view, 10, view.height / 2, Qt.RightButton)
            const menu = loader.item
            verify(menu)
            tryCompare(menu, "opened", true)
            const copy = findNamed(menu.contentItem, "copyItem") || menu.itemAt(0)
            compare(copy.text, "Copy")
            verify(!copy.enabled, "nothing selected: nothing to copy")
            menu.itemAt(1).triggered()
            compare(view.selectedText, view.getText(0, view.length))
            verify(view.selectedText.length > 0)
            verify(copy.enabled)
            menu.close()
            tryCompare(menu, "visible", false)
        }
    }

    // The text size changed with a reply in view (Ctrl+-, the setting): its headings, code spans
    // and gaps follow. They kept the old size's pixels, so a heading stayed large after Ctrl+0.
    function test_a_new_text_size_sizes_the_whole_reply() {
        AppSettings.fontSize = 14
        const content = createTemporaryObject(contentComponent, test, { plain: false,
            text: "# Title\n\nSome `code` here.\n\n## Part\n\nMore text." })
        const prose = findProse(content)
        const at14 = prose.contentHeight
        AppSettings.fontSize = 24
        verify(prose.contentHeight > at14 * 1.5, prose.contentHeight + " at 24 against " + at14 + " at 14")
        AppSettings.fontSize = 14
        compare(prose.contentHeight, at14)
        const fresh = createTemporaryObject(contentComponent, test, { plain: false, text: content.text })
        compare(findProse(fresh).contentHeight, at14)
    }

    function test_streaming_keeps_the_segments_before() {
        const content = createTemporaryObject(contentComponent, test, { plain: false,
            text: "Intro.\n\n```py\nx = 1\n```\n\n3. Then $a^2$" })
        const code = findNamed(content, "codeText")
        const first = allProse(content, [])
        compare(first.length, 2)
        content.text += " and\n4. more"
        const now = allProse(content, [])
        compare(now.length, 2)
        verify(now[0] === first[0], "the first paragraph's view is the same")
        verify(now[1] === first[1], "the growing paragraph's view is updated in place")
        verify(findNamed(content, "codeText") === code, "the code block's view is the same")
        compare(now[1].getText(0, now[1].length).replace(/[\u2029\n]/g, "|"), "3. Then a2 and|4. more")
        verify(!now[1].canUndo, "no undo steps kept for the texts read")
        content.text += "\n\n```sh\nls"  // a fence opens: a new segment at the end
        verify(allProse(content, [])[0] === first[0])
        compare(findNamed(content, "segments").count, 4)
        verify(findNamed(content, "codeText") === code)
    }
}
