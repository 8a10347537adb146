import QtQuick
import QtTest
import FalconChat.Ui

// MessageContent's prose while its width is not known yet: the layout first gives it a width of
// 0, where a wrapped paragraph would be laid out one character a line, and a long message froze
// the window (a 26,000-character paste: minutes at 100% CPU and gigabytes of memory).
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
        prose.width = 0  // what the layout does before it knows the width
        compare(prose.lineCount, 1)
        prose.width = 600
        compare(prose.lineCount, wrapped)
    }
}
