#include "app/message_formatter.h"

#include <md4c.h>

#include <QStringList>
#include <QTextDocument>
#include <QVariantMap>
#include <algorithm>
#include <vector>

#include "app/markdown_scan.h"
#include "app/math_text.h"

namespace {

// Whether lines[i] opens a fence: its character, length, info string and indentation. At 0-3
// spaces always; deeper (4+ spaces would be an indented code block at the top level) only inside
// a list item, where models put the code of a step.
bool is_fence(const QStringList& lines, qsizetype i, QChar* fence_char, int* fence_len, QString* info,
              int* indent_out) {
  const QString& line = lines[i];
  const qsizetype indent = markdown::leadingSpaces(line);
  const QString t = line.trimmed();
  if (t.size() < 3 || (t[0] != QLatin1Char('`') && t[0] != QLatin1Char('~'))) return false;
  int n = 0;
  while (n < t.size() && t[n] == t[0]) ++n;
  if (n < 3) return false;
  // (The look back only for a line that is a fence otherwise: it can walk far.)
  if (indent > 3 && (indent > 16 || !markdown::insideListItem(lines, i, indent))) return false;
  *indent_out = static_cast<int>(indent);
  *fence_char = t[0];
  *fence_len = n;
  *info = t.mid(n).trimmed();
  return true;
}

QVariantMap text_segment(const QString& prose) {
  // Formulas first (their text escaped), line breaks as marks (ProseStyle), then the rules every
  // prose segment gets.
  const QString markdown =
      MessageFormatter::neutralizeMarkdown(mathtext::markLineBreaks(mathtext::renderFormulas(prose)));
  QVariantMap out{{QStringLiteral("kind"), QStringLiteral("text")}, {QStringLiteral("markdown"), markdown}};
  const QList<int> starts = MessageFormatter::orderedListStarts(markdown);
  if (std::any_of(starts.begin(), starts.end(), [](int s) { return s != 1; })) {
    QVariantList v;
    for (int s : starts) v << s;
    out.insert(QStringLiteral("listStarts"), v);
  }
  return out;
}

}  // namespace

namespace {

// Where the indented code block (CommonMark: lines indented by 4 spaces, the first after a blank
// line or a block's start, not in a list item) starting at lines[i] ends: past its last code
// line, the blank lines between its lines included; i when lines[i] starts none. `after_block`:
// lines[i - 1] ended a block (a blank line, a closing fence, or there is none).
qsizetype indented_code_end(const QStringList& lines, qsizetype i, bool after_block) {
  auto code_line = [&](qsizetype k) {
    return markdown::leadingSpaces(lines[k]) >= 4 && !markdown::isBlank(lines[k]);
  };
  if (!after_block || !code_line(i) || markdown::insideListItem(lines, i, markdown::leadingSpaces(lines[i])))
    return i;
  qsizetype end = i + 1;
  for (qsizetype k = i + 1; k < lines.size(); ++k) {
    if (code_line(k)) {
      end = k + 1;
    } else if (!markdown::isBlank(lines[k])) {
      break;
    }
  }
  return end;
}

// Walks a message's lines: prose(lines) for each run of prose, code(info, lines) for each fenced
// block (an unclosed fence runs to the end) and, with `indented_code`, each indented code block
// (info ""): written as code, its '<' and '~' need no escapes, which md4c's code block would show.
template <typename Prose, typename Code>
void split_fences(const QString& text, Prose&& prose_run, Code&& code_block, bool indented_code = false) {
  const QStringList lines = text.split(QLatin1Char('\n'));
  QString prose;
  bool after_block = true;  // lines[i - 1] ended a block
  for (qsizetype i = 0; i < lines.size(); ++i) {
    QChar fc;
    int flen = 0, indent = 0;
    QString info;
    if (!is_fence(lines, i, &fc, &flen, &info, &indent)) {
      const qsizetype end = indented_code ? indented_code_end(lines, i, after_block) : i;
      if (end > i) {
        if (!prose.trimmed().isEmpty()) prose_run(prose);
        prose.clear();
        QStringList code;
        for (qsizetype k = i; k < end; ++k)
          code << lines[k].mid(std::min<qsizetype>(4, markdown::leadingSpaces(lines[k])));
        code_block(QString(), code);
        i = end - 1;
        after_block = false;  // (the line after it is not indented: a paragraph or a blank line)
        continue;
      }
      after_block = markdown::isBlank(lines[i]);
      prose += lines[i];
      if (i + 1 < lines.size()) prose += QLatin1Char('\n');
      continue;
    }
    if (!prose.trimmed().isEmpty()) prose_run(prose);
    prose.clear();
    QStringList code;
    qsizetype j = i + 1;
    for (; j < lines.size(); ++j) {
      const QString t = lines[j].trimmed();
      // A closing fence: the same character, at least as long, nothing after it.
      if (t.size() >= flen && t.startsWith(QString(flen, fc)) && t.count(fc) == t.size()) break;
      // As CommonMark has it: a fence indented by n spaces (a block in a list item, "1. Run:\n
      // ```sh") takes up to n spaces off each of its lines, so the code copies as it was written.
      qsizetype cut = 0;
      while (cut < indent && cut < lines[j].size() && lines[j][cut] == QLatin1Char(' ')) ++cut;
      code << lines[j].mid(cut);
    }
    code_block(info, code);
    i = j;  // skip the closing fence (or we are at the end)
    after_block = true;
  }
  if (!prose.trimmed().isEmpty()) prose_run(prose);
}

}  // namespace

QVariantList MessageFormatter::segments(const QString& text, bool plain) {
  QVariantList out;
  split_fences(
      text,
      [&](const QString& prose) {
        if (!plain) {
          out << text_segment(prose);
          return;
        }
        // As typed, without the blank lines that part it from the code blocks around it.
        qsizetype b = 0, e = prose.size();
        while (b < e && prose[b] == QLatin1Char('\n')) ++b;
        while (e > b && prose[e - 1] == QLatin1Char('\n')) --e;
        out << QVariantMap{{QStringLiteral("kind"), QStringLiteral("plain")},
                           {QStringLiteral("markdown"), prose.mid(b, e - b)}};
      },
      [&](const QString& info, const QStringList& code) {
        const QString language = info.section(QLatin1Char(' '), 0, 0);
        const QString body = code.join(QLatin1Char('\n'));
        // A long block in a user's message (an added file) shows its first lines only, until
        // asked for the rest (CodeBlock): laying out thousands of coloured lines took seconds each
        // time the chat was opened.
        const bool cut = plain && code.size() > kPreviewLines + kPreviewSlack;
        const QString shown = cut ? QStringList(code.mid(0, kPreviewLines)).join(QLatin1Char('\n')) : body;
        out << QVariantMap{{QStringLiteral("kind"), QStringLiteral("code")},
                           {QStringLiteral("language"), language},
                           {QStringLiteral("code"), body},
                           {QStringLiteral("shown"), shown},
                           {QStringLiteral("lines"), int(code.size())},
                           {QStringLiteral("hiddenLines"), cut ? int(code.size()) - kPreviewLines : 0}};
      },
      /*indented_code=*/!plain);
  return out;
}

QList<int> MessageFormatter::orderedListStarts(const QString& markdown) {
  // md4c's callbacks: only entering an ordered list matters; md4c calls every one it has.
  struct Scan {
    static int enter(MD_BLOCKTYPE type, void* detail, void* user) {
      if (type == MD_BLOCK_OL) {
        const unsigned start = static_cast<MD_BLOCK_OL_DETAIL*>(detail)->start;
        static_cast<QList<int>*>(user)->append(static_cast<int>(std::min<unsigned>(start, 999999999)));
      }
      return 0;
    }
    static int block(MD_BLOCKTYPE, void*, void*) { return 0; }
    static int span(MD_SPANTYPE, void*, void*) { return 0; }
    static int text(MD_TEXTTYPE, const MD_CHAR*, MD_SIZE, void*) { return 0; }
  };
  MD_PARSER parser{};
  parser.abi_version = 0;
  // The flags TextEdit's reader uses: Qt's Markdown features are md4c's flags by value.
  parser.flags = static_cast<unsigned>(QTextDocument::MarkdownDialectGitHub);
  parser.enter_block = &Scan::enter;
  parser.leave_block = &Scan::block;
  parser.enter_span = &Scan::span;
  parser.leave_span = &Scan::span;
  parser.text = &Scan::text;
  QList<int> starts;
  const QByteArray utf8 = markdown.toUtf8();
  if (md_parse(utf8.constData(), static_cast<MD_SIZE>(utf8.size()), &parser, &starts) != 0) return {};
  return starts;
}

QString MessageFormatter::titleText(const QString& text) {
  QStringList prose;
  QString first_code;
  split_fences(
      text, [&](const QString& p) { prose << p; },
      [&](const QString&, const QStringList& code) {
        for (const QString& line : code)
          if (first_code.isEmpty() && !line.trimmed().isEmpty()) first_code = line;
      });
  QString title = prose.join(QLatin1Char(' ')).simplified();
  title.remove(QLatin1Char('`'));  // a file's name in a code span reads as the name
  title = title.simplified();
  return title.isEmpty() ? first_code.simplified() : title;
}

namespace {

// Where in `prose` a tilde stands alone and is to be escaped: GitHub's Markdown (md4c, under Qt's
// reader) strikes text through between single tildes as between double ones, so "3~5 days, or 7~9
// days" showed "5 days, or 7" struck through; models mean "~" as a range, "about" or a subscript.
// "~~" (and longer runs) stay as they are. So does a tilde in a word that is or may be a link
// ("://", "www.", an "@"): md4c's links would end at the escape. And one on a line indented by a
// tab or four spaces, which may be code, where an escape would show. One pass, linear.
std::vector<bool> lone_tildes(const QString& prose) {
  const qsizetype n = prose.size();
  std::vector<bool> lone(static_cast<size_t>(n), false);
  if (!prose.contains(QLatin1Char('~'))) return lone;
  auto space = [](QChar c) { return c.isSpace(); };
  // Whether the line starting at `at` is indented by a tab or four spaces.
  auto indented = [&](qsizetype at) {
    const qsizetype k = at + markdown::leadingSpaces(QStringView(prose).mid(std::min(at, n)));
    return k - at >= 4 || (k < n && prose[k] == QLatin1Char('\t'));
  };
  bool maybe_code = indented(0);
  for (qsizetype w = 0; w < n;) {
    if (space(prose[w])) {
      if (prose[w] == QLatin1Char('\n') || prose[w] == QLatin1Char('\r')) maybe_code = indented(w + 1);
      ++w;
      continue;
    }
    qsizetype e = w;
    while (e < n && !space(prose[e])) ++e;
    const QStringView word = QStringView(prose).mid(w, e - w);
    const bool link_like = word.contains(QLatin1String("://")) || word.contains(QLatin1String("www.")) ||
                           word.contains(QLatin1Char('@'));
    if (!link_like && !maybe_code) {
      for (qsizetype k = w; k < e; ++k) {
        if (prose[k] != QLatin1Char('~')) continue;
        const bool before = k > 0 && prose[k - 1] == QLatin1Char('~');
        const bool after = k + 1 < n && prose[k + 1] == QLatin1Char('~');
        lone[static_cast<size_t>(k)] = !before && !after;
      }
    }
    w = e;
  }
  return lone;
}

// Copies prose[i, end) to `out`, breaking image openers (a zero-width space between an
// exclamation mark and a bracket), unless `keep_angle` escaping every '<', and with `tildes`
// escaping the lone tildes it marks. An existing backslash pair is copied as it is, so an inserted
// backslash never pairs with one from the input.
void copy_escaped(const QString& prose, qsizetype i, qsizetype end, bool keep_angle, QString& out,
                  const std::vector<bool>* tildes = nullptr) {
  while (i < end) {
    const QChar c = prose[i];
    if (c == QLatin1Char('\\') && i + 1 < end) {
      out += prose.mid(i, 2);
      i += 2;
      // The model's own "\![": its backslash is no safer than ours (see below).
      if (prose[i - 1] == QLatin1Char('!') && i < prose.size() && prose[i] == QLatin1Char('['))
        out += QChar(0x200B);
      continue;
    }
    if (c == QLatin1Char('<') && !keep_angle) {
      out += QStringLiteral("\\<");
    } else if (tildes && (*tildes)[static_cast<size_t>(i)]) {
      out += QStringLiteral("\\~");
    } else if (c == QLatin1Char('!') && i + 1 < prose.size() && prose[i + 1] == QLatin1Char('[')) {
      // Not "\!": md4c's permissive URL autolinks take a backslash into the URL ("http://\![z](…)"
      // left "![z](…)" whole: an image, found by fuzz_markdown). A zero-width space between the
      // two cannot be taken into a URL or undone, and shows nothing.
      out += QStringLiteral("!\u200B");
    } else {
      out += c;
    }
    ++i;
  }
}

}  // namespace

QString MessageFormatter::neutralizeMarkdown(const QString& prose) {
  // Whether a backtick run opens a code span depends on block structure (a blank line, a
  // heading or a list item ends a paragraph, a link destination swallows backticks) that this
  // scanner does not model, and "`a\n\n![x](http://…)\n\n`" must not become an image because
  // it looked like one code span. So "![" is broken everywhere, code spans included (by a
  // zero-width space, which shows nothing), and a code span keeps its "<" only when it closes
  // on the same line, and no backtick run left open before it in its paragraph could take its
  // opening run as that run's end: md4c's spans go on over line breaks ("`a\nb `<img …>`"
  // would leave the tag outside any span: an image, found by fuzz_markdown).
  QString out;
  out.reserve(prose.size() + 16);
  const std::vector<bool> tildes = lone_tildes(prose);
  qsizetype i = 0;
  const qsizetype n = prose.size();
  bool open_run = false;        // a backtick run that does not close on its line, since a blank line
  qsizetype blank_checked = 0;  // where the search for that blank line has reached
  while (i < n) {
    const QChar c = prose[i];
    if (c == QLatin1Char('`')) {
      const markdown::CodeSpan span = markdown::codeSpanAt(prose, i);
      const qsizetype k = span.run, close = span.close;
      const QString run(k, QLatin1Char('`'));
      if (close < 0) {
        out += run;  // no closing run on this line: the backticks are literal text
        open_run = true;
        blank_checked = i;
        i += k;
        continue;
      }
      if (open_run && markdown::hasBlankLine(prose, blank_checked, i)) open_run = false;  // a new paragraph
      blank_checked = i;
      out += run;
      copy_escaped(prose, i + k, close, /*keep_angle=*/!open_run, out);
      out += run;
      i = close + k;
      continue;
    }
    // Plain text up to the next backtick.
    qsizetype next = prose.indexOf(QLatin1Char('`'), i);
    if (next < 0) next = n;
    // An escape pair may not be split at `next`: "\\`" is an escaped backtick, not a span.
    qsizetype j = i;
    while (j < next) {
      if (prose[j] == QLatin1Char('\\') && j + 1 < n) {
        j += 2;
      } else {
        ++j;
      }
    }
    copy_escaped(prose, i, j, /*keep_angle=*/false, out, &tildes);
    i = j;
  }
  return out;
}
