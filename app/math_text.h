#pragma once
// MathText: the TeX formulas in a reply ($x^2$, \(...\), $$...$$, \[...\]) set as text a reader
// can read, since Qt's Markdown reader has no math: "$\frac{a+b}{2} \leq \sqrt{x_i}$" showed as
// typed, and its underscores even became italics ("$a_i + b_j$"). The formula becomes Unicode
// (Greek letters, operators and relations, ∑ ∫ √, fractions as "(a + b)/2", matrices as
// "(1 2; 3 4)", the rows of an aligned block on lines of their own) with TeX's spacing around
// operators and relations. Italic letters, superscripts and subscripts are marked in the text
// (the marks below), and ProseStyle turns the marks into the document's own formats: real
// superscripts, not the few letters Unicode has a superscript form for.
//
// The marks are Unicode noncharacters (never part of interchanged text; not U+FDD0/U+FDD1, which
// QTextDocument uses for its frames); a reply's own are taken out of its prose before its
// formulas are rendered, so every mark in a prose segment is ours.
// What is not TeX the renderer knows stays as written ("\foo"). Currency is not math: "$5 and
// $10" has no formula ($ must close right after a non-space, not before a digit, as in pandoc,
// nor before a letter: "$HOME/$USER").
#include <QString>
#include <QStringView>

namespace mathtext {

inline constexpr char16_t kItalic = 0xFDE0;     // opens italic (the letters of variables)
inline constexpr char16_t kBold = 0xFDE1;       // opens bold (\mathbf)
inline constexpr char16_t kSuper = 0xFDE2;      // opens a superscript
inline constexpr char16_t kSub = 0xFDE3;        // opens a subscript
inline constexpr char16_t kEnd = 0xFDE4;        // closes the innermost open mark
inline constexpr char16_t kAlign = 0xFDE5;      // a displayed aligned row's alignment point (its "&")
inline constexpr char16_t kLineBreak = 0xFDE6;  // a line break within the paragraph (U+2028)
// The noncharacters reserved for marks (all removed from a reply's prose first).
inline constexpr char16_t kFirstMark = 0xFDE0;
inline constexpr char16_t kLastMark = 0xFDEF;
inline bool isMark(QChar c) {
  return c.unicode() >= kFirstMark && c.unicode() <= kLastMark;
}
QString stripMarks(QStringView text);

// One formula, without its delimiters, as marked text. `display`: the rows of a multi-line
// environment (aligned, gather, ...) on lines of their own ('\n'); inline, they are joined by
// "; ". Never fails: what it cannot read it shows as written.
QString render(QStringView tex, bool display);

// A prose segment's Markdown with every formula replaced by its rendering, backslash-escaped so
// Markdown reads it as text (a "*" or "_" in a formula no longer makes emphasis, a "|" no longer
// splits a table cell). A displayed formula that starts a line gets lines of its own, indented;
// one within a line stays inline. Code spans are left as they are; "\$" stays a dollar. A
// displayed formula's lines are separated by kLineBreak marks, not Markdown breaks.
QString renderFormulas(const QString& prose);

// A prose segment's line breaks within a paragraph as line-break marks: a reply's lines stay
// lines (a poem, an address, "Name: …" lines; as chat apps and GitHub's comments show them),
// where Markdown would join a soft break's lines with a space. Hard breaks (a backslash or two
// spaces at the end) too: Qt 6.4's reader makes each line after one a block of its own, which
// ProseStyle could not tell from a paragraph. Not in code, headings or tables, nor before a
// line that starts a block (a list item, a heading). Applied after renderFormulas (its marks
// are the same).
QString markLineBreaks(const QString& markdown);

}  // namespace mathtext
