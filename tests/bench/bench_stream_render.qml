import QtQuick
import QtTest
import FalconChat.Ui

// Benchmark (not a test: it asserts nothing): what a streaming reply costs the UI thread. A
// reply's text is set on MessageContent in ~300 growing pieces (the app sets one batch a frame),
// and each piece is timed until the view's height is known (segmenting, Markdown parsing,
// styling, layout; not the scene graph's drawing). Three replies: one with six code blocks among
// headings, lists and paragraphs, one of prose only (one segment that grows), and one long code
// block. Each reply is also shown whole at once, as when a chat is opened.
//
//   QT_QUICK_CONTROLS_STYLE=Basic build-ci/tests/ui/tst_ui -platform offscreen \
//       -input tests/bench/bench_stream_render.qml
TestCase {
    id: test
    name: "StreamRender"
    width: 900
    height: 700
    visible: true
    when: windowShown

    Component {
        id: contentComponent
        MessageContent { width: 700 }
    }

    function withCode() {
        const parts = []
        for (let s = 1; s <= 6; ++s) {
            parts.push("## Step " + s + "\n\nHere we explain the **idea** of step " + s +
                       " with `code` and a list:\n\n- first item with some words\n- second item, $x^2 + y^2$\n- third\n\n```python\n")
            for (let l = 0; l < 15; ++l)
                parts.push("def f" + l + "(x):\n    return x * " + l + "  # comment\n")
            parts.push("```\n\nAnd a paragraph after the code that goes on for a while to make the text long enough to wrap over a few lines in the view.\n\n")
        }
        return parts.join("")
    }

    function proseOnly() {
        const parts = []
        for (let s = 0; s < 40; ++s)
            parts.push("Paragraph " + s + " talks about the **idea** with `code` and $x^2$, going on for a while so that it wraps over a few lines in the view, as replies do.\n\n- an item\n- another item\n\n")
        return parts.join("")
    }

    function oneLongBlock() {
        const parts = ["Here is the program:\n\n```cpp\n"]
        for (let l = 0; l < 300; ++l)
            parts.push("    int value" + l + " = compute(" + l + ", \"text\"); // step " + l + "\n")
        parts.push("```\n")
        return parts.join("")
    }

    function test_stream_data() {
        return [{ tag: "code blocks", text: withCode() }, { tag: "prose only", text: proseOnly() },
                { tag: "one long code block", text: oneLongBlock() }]
    }

    function test_stream(data) {
        const full = data.text
        const item = createTemporaryObject(contentComponent, test)
        const step = Math.max(1, Math.floor(full.length / 300))
        const times = []
        const t0 = Date.now()
        for (let k = step; k < full.length + step; k += step) {
            const a = Date.now()
            item.text = full.substring(0, Math.min(k, full.length))
            const h = item.implicitHeight  // laid out
            times.push(Date.now() - a)
        }
        const total = Date.now() - t0
        const last = times[times.length - 1]
        times.sort((x, y) => x - y)
        // The same reply shown whole at once (a chat opened): a new view, until its height is known.
        const o = Date.now()
        const opened = createTemporaryObject(contentComponent, test, { text: full })
        const openedHeight = opened.implicitHeight
        const openMs = Date.now() - o
        console.log("bench_stream_render " + data.tag + ": opened whole in " + openMs + " ms")
        console.log("bench_stream_render " + data.tag + ": " + full.length + " characters in " + times.length +
                    " pieces: total " + total + " ms, median " + times[Math.floor(times.length / 2)] +
                    " ms, p90 " + times[Math.floor(times.length * 0.9)] + " ms, worst " + times[times.length - 1] +
                    " ms, last " + last + " ms")
    }
}
