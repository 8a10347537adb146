#include "app/message_formatter.h"

#include <QStringList>
#include <QVariantMap>

#include "app/code_highlighter.h"

namespace {

// A fence's line: its character, length, info string and indentation (0-3 spaces).
bool is_fence(const QString& line, QChar* fence_char, int* fence_len, QString* info, int* indent_out) {
  qsizetype indent = 0;
  while (indent < line.size() && line[indent] == QLatin1Char(' ')) ++indent;
  if (indent > 3) return false;  // 4+ spaces: an indented code block, not a fence
  *indent_out = static_cast<int>(indent);
  const QString t = line.trimmed();
  if (t.size() < 3 || (t[0] != QLatin1Char('`') && t[0] != QLatin1Char('~'))) return false;
  int n = 0;
  while (n < t.size() && t[n] == t[0]) ++n;
  if (n < 3) return false;
  *fence_char = t[0];
  *fence_len = n;
  *info = t.mid(n).trimmed();
  return true;
}

QVariantMap text_segment(const QString& prose) {
  return {{QStringLiteral("kind"), QStringLiteral("text")},
          {QStringLiteral("markdown"), MessageFormatter::neutralizeMarkdown(prose)}};
}

}  // namespace

namespace {

// Walks a message's lines: prose(lines) for each run of prose, code(info, lines) for each fenced
// block (an unclosed fence runs to the end).
template <typename Prose, typename Code>
void split_fences(const QString& text, Prose&& prose_run, Code&& code_block) {
  const QStringList lines = text.split(QLatin1Char('\n'));
  QString prose;
  for (qsizetype i = 0; i < lines.size(); ++i) {
    QChar fc;
    int flen = 0, indent = 0;
    QString info;
    if (!is_fence(lines[i], &fc, &flen, &info, &indent)) {
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
  }
  if (!prose.trimmed().isEmpty()) prose_run(prose);
}

}  // namespace

QVariantList MessageFormatter::segments(const QString& text, bool dark, bool plain) const {
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
                           {QStringLiteral("html"), codeHtml(shown, language, dark)},
                           {QStringLiteral("lines"), int(code.size())},
                           {QStringLiteral("hiddenLines"), cut ? int(code.size()) - kPreviewLines : 0}};
      });
  return out;
}

QString MessageFormatter::codeHtml(const QString& code, const QString& language, bool dark) {
  return QStringLiteral("<pre>") + highlightCode(code, language, dark) + QStringLiteral("</pre>");
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

// Copies prose[i, end) to `out`, escaping image openers (an exclamation mark before a bracket
// gets a backslash) and, unless `keep_angle`, every '<'. An existing backslash pair is copied
// as it is, so an inserted backslash never pairs with one from the input.
void copy_escaped(const QString& prose, qsizetype i, qsizetype end, bool keep_angle, QString& out) {
  while (i < end) {
    const QChar c = prose[i];
    if (c == QLatin1Char('\\') && i + 1 < end) {
      out += prose.mid(i, 2);
      i += 2;
      continue;
    }
    if (c == QLatin1Char('<') && !keep_angle) {
      out += QStringLiteral("\\<");
    } else if (c == QLatin1Char('!') && i + 1 < prose.size() && prose[i + 1] == QLatin1Char('[')) {
      out += QStringLiteral("\\!");
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
  // it looked like one code span. So "![" is escaped everywhere, code spans included (where
  // the backslash shows: the price of never loading an image), and a code span keeps its "<"
  // only when it closes on the same line.
  QString out;
  out.reserve(prose.size() + 16);
  qsizetype i = 0;
  const qsizetype n = prose.size();
  while (i < n) {
    const QChar c = prose[i];
    if (c == QLatin1Char('`')) {
      // A code span: a run of k backticks up to the next run of exactly k on the same line.
      qsizetype k = 0;
      while (i + k < n && prose[i + k] == QLatin1Char('`')) ++k;
      const QString run(k, QLatin1Char('`'));
      qsizetype line_end = prose.indexOf(QLatin1Char('\n'), i + k);
      if (line_end < 0) line_end = n;
      // Searched within the line only, so many unclosed runs cost linear time, not quadratic.
      const QStringView line = QStringView(prose).first(line_end);
      qsizetype close = line.indexOf(run, i + k);
      while (close >= 0 && close + k < n && prose[close + k] == QLatin1Char('`'))
        close = line.indexOf(run, close + k + 1);
      if (close < 0) {
        out += run;  // no closing run on this line: the backticks are literal text
        i += k;
        continue;
      }
      out += run;
      copy_escaped(prose, i + k, close, /*keep_angle=*/true, out);
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
    copy_escaped(prose, i, j, /*keep_angle=*/false, out);
    i = j;
  }
  return out;
}

QString MessageFormatter::highlightCode(const QString& code, const QString& language, bool dark) {
  return codehl::highlight(code, language, dark);
}
