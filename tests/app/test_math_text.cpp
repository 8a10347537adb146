// TeX formulas in a reply's prose (app/math_text.h): what each piece of TeX becomes, where a
// formula is found and where it is not (money, a shell's variables, code spans, escaped dollars),
// and, through the whole path the chat view takes (MessageFormatter's Markdown, Qt's Markdown
// reader, ProseStyle), that the reader sees the formula's text with italic letters and real
// superscripts and subscripts, and no mark left.
#include <QAbstractTextDocumentLayout>
#include <QElapsedTimer>
#include <QTextBlock>
#include <QTextDocument>
#include <QTextFragment>
#include <QTextLayout>
#include <QtTest>

#include "app/math_text.h"
#include "app/message_formatter.h"
#include "app/prose_style.h"

namespace {

// The marks spelled out, so an expectation reads: "‹i›x‹/›‹^›2‹/›" is an italic x with a
// superscript 2.
QString spelled(QString s) {
  s.replace(QChar(mathtext::kItalic), QStringLiteral("‹i›"));
  s.replace(QChar(mathtext::kBold), QStringLiteral("‹b›"));
  s.replace(QChar(mathtext::kSuper), QStringLiteral("‹^›"));
  s.replace(QChar(mathtext::kSub), QStringLiteral("‹_›"));
  s.replace(QChar(mathtext::kEnd), QStringLiteral("‹/›"));
  s.replace(QChar(mathtext::kAlign), QStringLiteral("‹&›"));
  s.replace(QChar(mathtext::kLineBreak), QStringLiteral("‹⏎›"));
  return s;
}

QString inlineMath(const char* tex) {
  return spelled(mathtext::render(QString::fromUtf8(tex), false));
}

// A reply's prose through what the chat view does with it: its document, styled.
struct Shown {
  QTextDocument doc;
  explicit Shown(const QString& reply) {
    const QVariantList segments = MessageFormatter().segments(reply);
    Q_ASSERT(segments.size() == 1);
    doc.setMarkdown(segments[0].toMap().value(QStringLiteral("markdown")).toString());
    ProseStyle::style(&doc, ProseStyle::Style{QColor(Qt::gray), 6, {}, QColor(), QColor()});
  }
  QString text() const { return doc.toPlainText(); }
  // The format of the first character of `what` in the text (its n-th occurrence).
  QTextCharFormat formatOf(const QString& what, int nth = 0) const {
    const QString t = text();
    qsizetype at = -1;
    for (int k = 0; k <= nth; ++k) at = t.indexOf(what, at + 1);
    Q_ASSERT(at >= 0);
    for (QTextBlock b = doc.begin(); b.isValid(); b = b.next())
      for (auto it = b.begin(); !it.atEnd(); ++it) {
        const QTextFragment f = it.fragment();
        if (at >= f.position() && at < f.position() + f.length()) return f.charFormat();
      }
    return {};
  }
};

}  // namespace

class TestMathText : public QObject {
  Q_OBJECT

 private slots:
  void letters_italic_numbers_and_functions_upright() {
    QCOMPARE(inlineMath("x"), QStringLiteral("‹i›x‹/›"));
    QCOMPARE(inlineMath("3.14"), QStringLiteral("3.14"));
    // A run of letters is one italic run; a function's name is upright, a thin space after it.
    QCOMPARE(inlineMath("ab"), QStringLiteral("‹i›ab‹/›"));
    QCOMPARE(inlineMath(R"(\sin x)"), QStringLiteral("sin\u2009‹i›x‹/›"));
    QCOMPARE(inlineMath(R"(\cos(2\theta))"), QStringLiteral("cos(2‹i›θ‹/›)"));
    QCOMPARE(inlineMath(R"(\operatorname{softmax}(z))"), QStringLiteral("softmax(‹i›z‹/›)"));
  }

  void operators_and_relations_spaced_as_tex_does() {
    // Source spaces mean nothing in TeX math; binary operators and relations get a space each
    // side, a unary minus none, punctuation a space after.
    QCOMPARE(inlineMath("a+b=c"), QStringLiteral("‹i›a‹/› + ‹i›b‹/› = ‹i›c‹/›"));
    QCOMPARE(inlineMath("x = -y"), QStringLiteral("‹i›x‹/› = −‹i›y‹/›"));
    QCOMPARE(inlineMath("-1"), QStringLiteral("−1"));
    QCOMPARE(inlineMath(R"(a \leq b \neq c)"), QStringLiteral("‹i›a‹/› ≤ ‹i›b‹/› ≠ ‹i›c‹/›"));
    QCOMPARE(inlineMath(R"(f(x, y))"), QStringLiteral("‹i›f‹/›(‹i›x‹/›, ‹i›y‹/›)"));
    QCOMPARE(inlineMath(R"(2 \times 3 \cdot 4)"), QStringLiteral("2 × 3 · 4"));
    QCOMPARE(inlineMath(R"(\alpha \to \infty)"), QStringLiteral("‹i›α‹/› → ∞"));
    QCOMPARE(inlineMath(R"(x \in \mathbb{R})"), QStringLiteral("‹i›x‹/› ∈ ℝ"));
    QCOMPARE(inlineMath(R"(n!)"), QStringLiteral("‹i›n‹/›!"));
    // A modulus stands apart from what it follows.
    QCOMPARE(inlineMath(R"(a \equiv b \pmod{n}.)"), QStringLiteral("‹i›a‹/› ≡ ‹i›b‹/› (mod ‹i›n‹/›)."));
    QCOMPARE(inlineMath(R"(\pmod 7)"), QStringLiteral("(mod 7)"));
  }

  void scripts() {
    QCOMPARE(inlineMath("x^2"), QStringLiteral("‹i›x‹/›‹^›2‹/›"));
    QCOMPARE(inlineMath("a_i"), QStringLiteral("‹i›a‹/›‹_›‹i›i‹/›‹/›"));
    // Both: the subscript first (x sub i, squared), as read aloud.
    QCOMPARE(inlineMath("x_i^2"), QStringLiteral("‹i›x‹/›‹_›‹i›i‹/›‹/›‹^›2‹/›"));
    QCOMPARE(inlineMath("10^{-3}"), QStringLiteral("10‹^›−3‹/›"));
    // Inside a script, no spacing (TeX's script style)...
    QCOMPARE(inlineMath(R"(\sum_{i=1}^{n})"), QStringLiteral("∑‹_›‹i›i‹/›=1‹/›‹^›‹i›n‹/›‹/›"));
    // ...and a script's own script in Unicode's forms (formats cannot nest), or "^(...)" where
    // a character has none.
    QCOMPARE(inlineMath("2^{2^n}"), QStringLiteral("2‹^›2ⁿ‹/›"));
    QCOMPARE(inlineMath("e^{x_i}"), QStringLiteral("‹i›e‹/›‹^›‹i›x‹/›ᵢ‹/›"));
    QCOMPARE(inlineMath(R"(e^{x^{\pi}})"), QStringLiteral("‹i›e‹/›‹^›‹i›x‹/›^(π)‹/›"));
    // Primes.
    QCOMPARE(inlineMath("f''(x)"),
             QStringLiteral("‹i›f‹/›″(‹i›x‹/›)").replace(QStringLiteral("″"), QStringLiteral("′′")));
  }

  void fractions_and_roots() {
    QCOMPARE(inlineMath(R"(\frac{a}{b})"), QStringLiteral("‹i›a‹/›/‹i›b‹/›"));
    QCOMPARE(inlineMath(R"(\frac{a+b}{2})"), QStringLiteral("(‹i›a‹/› + ‹i›b‹/›)/2"));
    // A short product reads as one: dy/dx, ∂L/∂w.
    QCOMPARE(inlineMath(R"(\frac{dy}{dx})"), QStringLiteral("‹i›dy‹/›/‹i›dx‹/›"));
    QCOMPARE(inlineMath(R"(\frac{\partial L}{\partial w})"), QStringLiteral("∂‹i›L‹/›/∂‹i›w‹/›"));
    QCOMPARE(inlineMath(R"(\frac{f(x)}{2})"), QStringLiteral("(‹i›f‹/›(‹i›x‹/›))/2"));
    QCOMPARE(inlineMath(R"(\frac{1}{2a})"), QStringLiteral("1/(2‹i›a‹/›)"));
    QCOMPARE(inlineMath(R"(\sqrt{x^T x})"), QStringLiteral("√(‹i›x‹/›‹^›‹i›T‹/›‹/›‹i›x‹/›)"));
    QCOMPARE(inlineMath(R"(\frac12)"), QStringLiteral("½"));
    // A fraction that multiplies, or carries a script, is one thing: in parentheses.
    QCOMPARE(inlineMath(R"(\frac{a}{b}x)"), QStringLiteral("(‹i›a‹/›/‹i›b‹/›)‹i›x‹/›"));
    QCOMPARE(inlineMath(R"(\frac{1}{n}\sum_i x_i)"),
             QStringLiteral("(1/‹i›n‹/›)\u2009∑‹_›‹i›i‹/›‹/›\u2009‹i›x‹/›‹_›‹i›i‹/›‹/›"));
    QCOMPARE(inlineMath(R"(\frac{a}{b}^2)"), QStringLiteral("(‹i›a‹/›/‹i›b‹/›)‹^›2‹/›"));
    QCOMPARE(inlineMath(R"(\left(\frac{a}{b}\right)^2)"), QStringLiteral("(‹i›a‹/›/‹i›b‹/›)‹^›2‹/›"));
    QCOMPARE(inlineMath(R"(\sqrt{x})"), QStringLiteral("√‹i›x‹/›"));
    QCOMPARE(inlineMath(R"(\sqrt{x+1})"), QStringLiteral("√(‹i›x‹/› + 1)"));
    QCOMPARE(inlineMath(R"(\sqrt[3]{8})"), QStringLiteral("∛8"));
    QCOMPARE(inlineMath(R"(\sqrt[n]{x})"), QStringLiteral("‹^›n‹/›√‹i›x‹/›"));
    QCOMPARE(inlineMath(R"(\binom{n}{k})"), QStringLiteral("C(‹i›n‹/›, ‹i›k‹/›)"));
  }

  void text_fonts_and_accents() {
    QCOMPARE(inlineMath(R"(\text{if } x > 0)"), QStringLiteral("if ‹i›x‹/› > 0"));
    QCOMPARE(inlineMath(R"(\mathrm{d}x)"), QStringLiteral("d‹i›x‹/›"));
    QCOMPARE(inlineMath(R"(\mathbf{W}x)"), QStringLiteral("‹b›W‹/›‹i›x‹/›"));
    QCOMPARE(inlineMath(R"(\mathcal{L})"), QStringLiteral("ℒ"));
    // Only the letters every font with mathematical symbols has; \mathbb's others in bold.
    QCOMPARE(inlineMath(R"(\mathbb{E}[X] + \mathbb{R})"), QStringLiteral("‹b›E‹/›[‹i›X‹/›] + ℝ"));
    QCOMPARE(inlineMath(R"(\mathcal{O}(n))"), QStringLiteral("O(‹i›n‹/›)"));
    QCOMPARE(inlineMath(R"(\boxed{42})"), QStringLiteral("‹b›42‹/›"));
    QCOMPARE(inlineMath(R"(\operatorname*{arg\,max}_x)"), QStringLiteral("arg\u2009max‹_›‹i›x‹/›‹/›"));
    QCOMPARE(inlineMath(R"(\hat{x})"), QStringLiteral("‹i›x\u0302‹/›"));
    QCOMPARE(inlineMath(R"(\bar{xy})"), QStringLiteral("‹i›x\u0304y\u0304‹/›"));
    QCOMPARE(inlineMath(R"(\vec{v})"), QStringLiteral("‹i›v\u20D7‹/›"));
    QCOMPARE(inlineMath(R"(a \not= b)"), QStringLiteral("‹i›a‹/› ≠ ‹i›b‹/›"));
  }

  void environments() {
    QCOMPARE(inlineMath(R"(\begin{pmatrix} 1 & 2 \\ 3 & 4 \end{pmatrix})"),
             QStringLiteral("(1\u2002\u20022; 3\u2002\u20024)"));
    QCOMPARE(inlineMath(R"(|x| = \begin{cases} x & x \geq 0 \\ -x & \text{otherwise} \end{cases})"),
             QStringLiteral("|‹i›x‹/›| = { ‹i›x‹/›\u2003‹i›x‹/› ≥ 0; −‹i›x‹/›\u2003otherwise"));
    // An aligned block: its rows on lines of their own when displayed, each marked where it
    // aligns (its first "&", after the space before "="), "; " inline without marks.
    const char* aligned = R"(\begin{aligned} a &= b + c \\ &= e & x \\ \end{aligned})";
    QCOMPARE(spelled(mathtext::render(QString::fromUtf8(aligned), true)),
             QStringLiteral("‹i›a‹/› ‹&›= ‹i›b‹/› + ‹i›c‹/›\n‹&›= ‹i›e‹/›‹i›x‹/›"));
    QCOMPARE(inlineMath(aligned), QStringLiteral("‹i›a‹/› = ‹i›b‹/› + ‹i›c‹/›; = ‹i›e‹/›‹i›x‹/›"));
  }

  void unknown_and_broken_tex_shows_as_written() {
    QCOMPARE(inlineMath(R"(\foo x)"), QStringLiteral("\\foo‹i›x‹/›"));
    QCOMPARE(inlineMath(R"(\frac{a)"), QStringLiteral("‹i›a‹/›/"));  // no denominator: what there is
    QCOMPARE(inlineMath("a}b"), QStringLiteral("‹i›a‹/›}‹i›b‹/›"));
    QCOMPARE(inlineMath("x^"), QStringLiteral("‹i›x‹/›‹^›‹/›"));
    QCOMPARE(inlineMath("\\"), QStringLiteral("\\"));
    // Nested far deeper than any formula: the rest as written, no crash, in bounded time.
    const QString deep =
        QString(20000, QLatin1Char('{')) + QStringLiteral("x") + QString(20000, QLatin1Char('}'));
    QVERIFY(mathtext::render(deep, false).contains(QStringLiteral("{{{")));
    const QString roots = QStringLiteral("\\sqrt[").repeated(5000) + QStringLiteral("x");
    QVERIFY(!mathtext::render(roots, false).isEmpty());
    // Many formulas that never close, in a long reply: each looked for within a bounded window
    // (linear, not quadratic: this took minutes when an environment's end was looked for to the
    // end of the text).
    QElapsedTimer clock;
    clock.start();
    const QString unclosed = QStringLiteral("\\begin{align} a\n").repeated(60000) +
                             QStringLiteral("$x ").repeated(20000) + QStringLiteral("\\[ y ").repeated(2000);
    QCOMPARE(mathtext::renderFormulas(unclosed).size(), unclosed.size());
    QVERIFY2(clock.elapsed() < 20000, qPrintable(QString::number(clock.elapsed())));
  }

  void where_formulas_are_found() {
    auto md = [](const char* prose) { return spelled(mathtext::renderFormulas(QString::fromUtf8(prose))); };
    QCOMPARE(md("Area $\\pi r^2$."), QStringLiteral("Area ‹i›πr‹/›‹^›2‹/›."));
    QCOMPARE(md("so \\(x_1\\) is"), QStringLiteral("so ‹i›x‹/›‹_›1‹/› is"));
    // The formula's punctuation escaped: Markdown reads it as text.
    QCOMPARE(md("$a*b*c$"), QStringLiteral("‹i›a‹/› ∗ ‹i›b‹/› ∗ ‹i›c‹/›"));
    QCOMPARE(md("$(a)$"), QStringLiteral("\\(‹i›a‹/›\\)"));
    // Not formulas: money, a shell's variables, a space after the opening or before the closing
    // dollar, an escaped dollar, code spans, a formula across a blank line.
    for (const char* text :
         {"It costs $5 and $10.", "between $5-$10 today", "cd $HOME/$USER", "a $ x$ b", "a $x $ b", "\\$x\\$",
          "`$x^2$` in code", "$x\n\ny$", "$$x\n\ny$$", "$$ $$", "half of \\[ \\]", "it is \\(not closed"})
      QCOMPARE(md(text), QString::fromUtf8(text));
    // An ordinal's ending after the closing dollar ("$HOME/$USER" stays a shell's, and money before
    // it stays money).
    QCOMPARE(md("the $n$th term, the $(k+1)$st, the $2^k$nd"),
             QStringLiteral("the ‹i›n‹/›th term, the \\(‹i›k‹/› \\+ 1\\)st, the 2‹^›‹i›k‹/›‹/›nd"));
    QCOMPARE(md("costs $5 in the $n$th round"), QStringLiteral("costs $5 in the ‹i›n‹/›th round"));
    for (const char* text : {"a $x$the b", "cd $HOME/$third"}) QCOMPARE(md(text), QString::fromUtf8(text));
    // A stray mark of the reply's own is not ours: taken out.
    QCOMPARE(mathtext::renderFormulas(QStringLiteral("a\uFDE2b\uFDE4c")), QStringLiteral("abc"));
  }

  void displayed_formulas_get_lines_of_their_own() {
    auto md = [](const char* prose) { return spelled(mathtext::renderFormulas(QString::fromUtf8(prose))); };
    const QString indent = QStringLiteral("\u2003\u2003");
    // On its own: indented.
    QCOMPARE(md("$$x^2$$"), indent + QStringLiteral("‹i›x‹/›‹^›2‹/›"));
    QCOMPARE(md("\\[y\\]"), indent + QStringLiteral("‹i›y‹/›"));
    // After a line of text (one paragraph in Markdown): line breaks around it (a soft one reads
    // as a space), as marks: Qt's reader makes a block of each line after a hard break.
    QCOMPARE(md("Then:\n$$x$$\n  so"),
             QStringLiteral("Then:\n‹⏎›") + indent + QStringLiteral("‹i›x‹/›\n  ‹⏎›so"));
    // With text after it on its line: a break before that text.
    QCOMPARE(md("$$x$$ where"), indent + QStringLiteral("‹i›x‹/›‹⏎›where"));
    // Within a line: inline.
    QCOMPARE(md("so $$x$$ is"), QStringLiteral("so ‹i›x‹/› is"));
    // In a list item; before the next item, no break.
    QCOMPARE(md("- Step:\n  $$\\begin{aligned}a&=1\\\\b&=2\\end{aligned}$$\n- next"),
             QStringLiteral("- Step:\n  ‹⏎›") + indent + QStringLiteral("‹i›a‹/› ‹&›\\= 1‹⏎›") + indent +
                 QStringLiteral("‹i›b‹/› ‹&›\\= 2\n- next"));
    // An environment on lines of its own, without dollars (as MathJax reads it), displayed.
    QCOMPARE(md("We get\n\\begin{align*}\n a &= 1 \\\\\n b &= 2\n\\end{align*}\nthen"),
             QStringLiteral("We get\n‹⏎›") + indent + QStringLiteral("‹i›a‹/› ‹&›\\= 1‹⏎›") + indent +
                 QStringLiteral("‹i›b‹/› ‹&›\\= 2\n‹⏎›then"));
    // ...not one within a line, one that is not a displayed formula, nor one across a blank line.
    for (const char* text : {"see \\begin{align}a\\end{align}", "\\begin{itemize}x\\end{itemize}",
                             "\\begin{align}a\n\nb\\end{align}"})
      QCOMPARE(md(text), QString::fromUtf8(text));
    // After a heading: no break (a heading is a line of its own).
    QCOMPARE(md("# Title\n$$x$$"), QStringLiteral("# Title\n") + indent + QStringLiteral("‹i›x‹/›"));
  }

  // The whole path the chat view takes.
  void the_reader_sees_the_formula_formatted() {
    const Shown shown(QStringLiteral("The sides satisfy $a^2 + b_i^2 = c^2$ here."));
    QCOMPARE(shown.text(), QStringLiteral("The sides satisfy a2 + bi2 = c2 here."));
    QVERIFY(shown.formatOf(QStringLiteral("a2")).fontItalic());
    QCOMPARE(shown.formatOf(QStringLiteral("a2")).verticalAlignment(), QTextCharFormat::AlignNormal);
    QCOMPARE(shown.formatOf(QStringLiteral("2")).verticalAlignment(), QTextCharFormat::AlignSuperScript);
    QVERIFY(!shown.formatOf(QStringLiteral("2")).fontItalic());
    QCOMPARE(shown.formatOf(QStringLiteral("i2")).verticalAlignment(), QTextCharFormat::AlignSubScript);
    QVERIFY(shown.formatOf(QStringLiteral("i2")).fontItalic());
    QCOMPARE(shown.formatOf(QStringLiteral("2"), 1).verticalAlignment(), QTextCharFormat::AlignSuperScript);
    QVERIFY(!shown.formatOf(QStringLiteral("here")).fontItalic());
    QCOMPARE(shown.formatOf(QStringLiteral("here")).verticalAlignment(), QTextCharFormat::AlignNormal);
  }

  void underscores_in_a_formula_are_no_longer_emphasis() {
    // Before: Qt's reader took "_i + b_" as emphasis and the underscores were gone.
    const Shown shown(QStringLiteral("Sum $a_i + b_j$ and *this*."));
    QCOMPARE(shown.text(), QStringLiteral("Sum ai + bj and this."));
    QVERIFY(!shown.formatOf(QStringLiteral(" + ")).fontItalic());
    QCOMPARE(shown.formatOf(QStringLiteral("j")).verticalAlignment(), QTextCharFormat::AlignSubScript);
    QVERIFY(shown.formatOf(QStringLiteral("this")).fontItalic());  // the prose's own emphasis stays
  }

  void a_formula_in_a_table_cell_keeps_the_table() {
    const Shown shown(QStringLiteral("| f | value |\n|---|---|\n| abs | $|x|$ |\n"));
    const QString text = shown.text();
    QVERIFY2(text.contains(QStringLiteral("|x|")), qPrintable(text));
    QCOMPARE(shown.doc.rootFrame()->childFrames().size(), 1);  // one table, two columns
    QVERIFY(!text.contains(QLatin1Char('$')));
  }

  void a_displayed_formula_is_its_own_line() {
    const Shown shown(QStringLiteral("The identity:\n$$e^{i\\pi} + 1 = 0$$\nholds."));
    // One paragraph (one block: no paragraph's space between its lines), three lines; a line
    // may end with the space a soft break leaves, which shows nothing.
    QCOMPARE(shown.doc.blockCount(), 1);
    QStringList lines = shown.doc.begin().text().split(QChar::LineSeparator);
    for (QString& line : lines)
      while (line.endsWith(QLatin1Char(' '))) line.chop(1);
    QCOMPARE(lines, QStringList({QStringLiteral("The identity:"), QStringLiteral("\u2003\u2003eiπ + 1 = 0"),
                                 QStringLiteral("holds.")}));
  }

  // A reply's lines stay lines, in one paragraph: a soft break read as a space ("Roses are red,
  // violets are blue," on one line), and a hard break made a block of each line in Qt 6.4's
  // reader, which the view spaced as paragraphs.
  void line_breaks_stay_in_their_paragraph() {
    const Shown shown(
        QStringLiteral("Roses are red,\nviolets are blue,\\\n   sugar is sweet  \nand so on.\n\nNext."));
    QCOMPARE(shown.doc.blockCount(), 2);
    // (Without the soft break's space at the end of each line: it would be copied.)
    QCOMPARE(shown.doc.begin().text(),
             QStringLiteral("Roses are red,\u2028violets are blue,\u2028sugar is sweet\u2028and so on."));
    auto md = [](const char* text) { return spelled(mathtext::markLineBreaks(QString::fromUtf8(text))); };
    QCOMPARE(md("a\\\n  b  \nc"), QStringLiteral("a\n  ‹⏎›b\n‹⏎›c"));
    QCOMPARE(md("- one\n  more\n- two"), QStringLiteral("- one\n  ‹⏎›more\n- two"));
    QCOMPARE(md("> said\n> again"), QStringLiteral("> said\n> ‹⏎›again"));
    // No break where Markdown's lines are no paragraph's: a heading, a table, a rule, code
    // (indented after a blank line), a blank line; nor before a list item or a heading.
    for (const char* text : {"# T  \nb", "a  \n- b", "a\\\n\nb", "| a |\n| b |", "a\n# H", "---\nb",
                             "x\n\n    code 1\n    code 2\n", "a\n1. b", ">\n> b", "a | b\n--|--\nc | d\n\ne",
                             "a\n| x | y |\n|:-|-:|\n| 1 | 2 |"})
      QCOMPARE(md(text), QString::fromUtf8(text));
    // Indented under a list item, a continuation is the item's text, not code.
    QCOMPARE(md("- item\n\n    more\n    lines"), QStringLiteral("- item\n\n    more\n    ‹⏎›lines"));
  }

  // A displayed aligned derivation: its rows' "=" one under the other, as TeX sets them.
  void aligned_rows_line_up() {
    Shown shown(
        QStringLiteral("Expand:\n\n$$\\begin{aligned} (a+b)^2 &= (a+b)(a+b) \\\\ &= a^2 + 2ab + b^2 "
                       "\\\\ x &= y \\end{aligned}$$\n"));
    shown.doc.setTextWidth(800);
    const QString text = shown.text();
    QVERIFY2(!text.contains(QChar(mathtext::kAlign)), qPrintable(text));
    // The x of each "=" that starts a row's right side.
    QList<qreal> xs;
    for (QTextBlock b = shown.doc.begin(); b.isValid(); b = b.next()) {
      const QString t = b.text();
      shown.doc.documentLayout()->blockBoundingRect(b);  // laid out
      QTextLayout* layout = b.layout();
      for (int k = 0; k < t.size(); ++k)
        if (t[k] == QLatin1Char('\t') && k + 1 < t.size() && t[k + 1] == QLatin1Char('=')) {
          const QTextLine line = layout->lineForTextPosition(k + 1);
          QVERIFY(line.isValid());
          xs.append(line.cursorToX(k + 1));
        }
    }
    QCOMPARE(xs.size(), 3);
    QCOMPARE(xs[1], xs[0]);
    QCOMPARE(xs[2], xs[0]);
  }

  void styling_twice_changes_nothing_and_leaves_no_mark() {
    const Shown shown(QStringLiteral("Let $x_1, \\dots, x_n \\in \\mathbf{R}$ and $\\hat{\\theta}$."));
    const QString once = shown.text();
    for (const QChar c : once) QVERIFY(!mathtext::isMark(c));
    QTextDocument& doc = const_cast<QTextDocument&>(shown.doc);
    const int revisions = doc.revision();
    ProseStyle::styleFormulas(&doc);
    QCOMPARE(doc.toPlainText(), once);
    QCOMPARE(doc.revision(), revisions);
  }
};

QTEST_MAIN(TestMathText)
#include "test_math_text.moc"
