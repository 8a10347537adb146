#include "app/code_highlighter.h"

#include <QRegularExpression>
#include <QStringList>
#include <algorithm>

#include "app/code_languages.h"

namespace codehl {
namespace {

// Colours per token class: {light, dark}, readable on Theme.codeBackground in each theme.
struct ClassStyle {
  const char* cls;
  const char* light;
  const char* dark;
  bool italic;
  bool bold;
};
constexpr ClassStyle kStyles[] = {
    {"kw", "#7a3e9d", "#c792ea", false, false},   {"type", "#1f5fa8", "#82aaff", false, false},
    {"str", "#2e7d32", "#c3e88d", false, false},  {"num", "#b35c00", "#f78c6c", false, false},
    {"lit", "#b35c00", "#f78c6c", false, false},  {"com", "#6a737d", "#8a93a8", true, false},
    {"pre", "#9c4f00", "#ffcb6b", false, false},  {"fn", "#005f87", "#82d3ff", false, false},
    {"var", "#00796b", "#89ddff", false, false},  {"tag", "#b3261e", "#f07178", false, false},
    {"attr", "#8a6d00", "#ffcb6b", false, false}, {"head", "#7a3e9d", "#c792ea", false, true},
};
constexpr int kClasses = int(std::size(kStyles));

// The code as pieces, in order: each a token of a class (kStyles' index) or plain text.
class Writer {
 public:
  void span(const char* cls, QStringView text) {
    if (text.isEmpty()) return;
    for (int k = 0; k < kClasses; ++k) {
      if (qstrcmp(kStyles[k].cls, cls) == 0) {
        out_.append(Piece{k, text.size()});
        return;
      }
    }
    plain(text);
  }
  void plain(QStringView text) {
    if (!text.isEmpty()) out_.append(Piece{-1, text.size()});
  }
  QList<Piece> take() { return std::move(out_); }

 private:
  QList<Piece> out_;
};

bool ident_start(QChar c) {
  return c.isLetter() || c == QLatin1Char('_');
}
bool ident_char(QChar c) {
  return c.isLetterOrNumber() || c == QLatin1Char('_');
}

qsizetype line_end(const QString& s, qsizetype from) {
  const qsizetype e = s.indexOf(QLatin1Char('\n'), from);
  return e < 0 ? s.size() : e;
}

// A number at s[i]: 42, 1_000, 0x1F, 0b101, 3.14, 1e-9, .5, 10u, 2.0f, 1n, 42i64.
qsizetype number_end(const QString& s, qsizetype i) {
  const qsizetype n = s.size();
  qsizetype j = i;
  if (j + 1 < n && s[j] == QLatin1Char('0') && QStringLiteral("xXbBoO").contains(s[j + 1])) {
    j += 2;
    while (j < n && (s[j].isLetterOrNumber() || s[j] == QLatin1Char('_'))) ++j;
    return j;
  }
  while (j < n && (s[j].isDigit() || s[j] == QLatin1Char('_'))) ++j;
  if (j + 1 < n && s[j] == QLatin1Char('.') && s[j + 1].isDigit()) {
    ++j;
    while (j < n && (s[j].isDigit() || s[j] == QLatin1Char('_'))) ++j;
  }
  if (j < n && (s[j] == QLatin1Char('e') || s[j] == QLatin1Char('E'))) {
    qsizetype k = j + 1;
    if (k < n && (s[k] == QLatin1Char('+') || s[k] == QLatin1Char('-'))) ++k;
    if (k < n && s[k].isDigit()) {
      j = k;
      while (j < n && s[j].isDigit()) ++j;
    }
  }
  while (j < n && ident_char(s[j])) ++j;  // suffixes: u, f, L, n, i64
  return j;
}

// The end of a string opened by s[i] (the closing quote included; the line's end or the text's
// end when it is never closed).
qsizetype string_end(const QString& s, qsizetype i, bool multiline, bool escapes) {
  const QChar q = s[i];
  const qsizetype n = s.size();
  qsizetype j = i + 1;
  while (j < n && s[j] != q) {
    if (s[j] == QLatin1Char('\n') && !multiline) return j;
    j += (escapes && s[j] == QLatin1Char('\\')) ? 2 : 1;
  }
  return std::min(j + 1, n);
}

void highlight_generic(const QString& s, const Language& L, Writer& w) {
  const qsizetype n = s.size();
  bool line_start = true;  // only whitespace so far on this line
  qsizetype i = 0;
  auto starts = [&](qsizetype at, const QString& what) {
    return !what.isEmpty() && QStringView(s).mid(at).startsWith(what);
  };
  // The end of the string whose quote is s[at].
  auto lex_string = [&](qsizetype at) {
    const QChar q = s[at];
    const QString triple(3, q);
    if (L.triple_quotes && starts(at, triple)) {
      const qsizetype close = s.indexOf(triple, at + 3);
      return close < 0 ? n : close + 3;
    }
    // Shell single quotes and SQL strings have no backslash escapes.
    const bool escapes = !(L.case_insensitive || (L.dollar_variables && q == QLatin1Char('\'')));
    return string_end(s, at, L.multiline_quotes.contains(q), escapes);
  };
  while (i < n) {
    const QChar c = s[i];
    if (c == QLatin1Char('\n')) {
      w.plain(QStringView(s).mid(i, 1));
      line_start = true;
      ++i;
      continue;
    }
    if (c.isSpace()) {
      w.plain(QStringView(s).mid(i, 1));
      ++i;
      continue;
    }
    const qsizetype start = i;
    const char* cls = nullptr;
    if (starts(i, L.block_open)) {
      const qsizetype close = s.indexOf(L.block_close, i + L.block_open.size());
      i = close < 0 ? n : close + L.block_close.size();
      cls = "com";
    } else if (L.hash_preprocessor && line_start && c == QLatin1Char('#')) {
      i = line_end(s, i);
      cls = "pre";
    } else if (L.rust_rules && c == QLatin1Char('#') && i + 1 < n &&
               (s[i + 1] == QLatin1Char('[') || s[i + 1] == QLatin1Char('!'))) {
      const qsizetype close = s.indexOf(QLatin1Char(']'), i);
      i = close < 0 || close > line_end(s, i) ? line_end(s, i) : close + 1;
      cls = "pre";
    } else if (std::any_of(L.line_comments.begin(), L.line_comments.end(), [&](const QString& lc) {
                 if (!starts(i, lc)) return false;
                 // shell: "#" starts a comment only at a word start ($#, a#b are not comments)
                 return !(L.hash_comment_needs_space && i > 0 && !s[i - 1].isSpace());
               })) {
      i = line_end(s, i);
      cls = "com";
    } else if (L.at_annotations && c == QLatin1Char('@') && i + 1 < n && ident_start(s[i + 1])) {
      ++i;
      while (i < n && (ident_char(s[i]) || s[i] == QLatin1Char('.'))) ++i;
      cls = "pre";
    } else if (L.dollar_variables && c == QLatin1Char('$') && i + 1 < n) {
      if (s[i + 1] == QLatin1Char('{')) {
        const qsizetype close = s.indexOf(QLatin1Char('}'), i);
        i = close < 0 || close > line_end(s, i) ? line_end(s, i) : close + 1;
      } else if (ident_start(s[i + 1])) {
        i += 2;
        while (i < n && ident_char(s[i])) ++i;
      } else if (s[i + 1].isDigit() || QStringLiteral("@#?*!$-").contains(s[i + 1])) {
        i += 2;
      } else {
        i += 1;
      }
      cls = i - start > 1 ? "var" : nullptr;
    } else if (L.rust_rules && c == QLatin1Char('\'') && !(i + 1 < n && s[i + 1] == QLatin1Char('\\')) &&
               !(i + 2 < n && s[i + 2] == QLatin1Char('\''))) {
      ++i;  // a lifetime ('a, 'static), not a char literal
      while (i < n && ident_char(s[i])) ++i;
      cls = "pre";
    } else if (L.quotes.contains(c)) {
      i = lex_string(i);
      cls = "str";
      if (L.mode == Mode::Json) {  // a string followed by ':' is a key
        qsizetype k = i;
        while (k < n && (s[k] == QLatin1Char(' ') || s[k] == QLatin1Char('\t'))) ++k;
        if (k < n && s[k] == QLatin1Char(':')) cls = "attr";
      }
    } else if (c.isDigit() || (c == QLatin1Char('.') && i + 1 < n && s[i + 1].isDigit() &&
                               !(i > 0 && ident_char(s[i - 1])))) {
      i = number_end(s, i);
      cls = "num";
    } else if (ident_start(c)) {
      while (i < n && ident_char(s[i])) ++i;
      const QString word = s.mid(start, i - start);
      if (L.string_prefixes && word.size() <= 2 && i < n && L.quotes.contains(s[i]) &&
          QStringLiteral("rbufRBUF").contains(word[0]) &&
          (word.size() == 1 || QStringLiteral("rbufRBUF").contains(word[1]))) {
        i = lex_string(i);  // r"…", f'…', rb"…": the prefix belongs to the string
        w.span("str", QStringView(s).mid(start, i - start));
        line_start = false;
        continue;
      }
      const QString key = L.case_insensitive ? word.toLower() : word;
      if (L.keywords.contains(key)) {
        cls = "kw";
      } else if (L.types.contains(key)) {
        cls = "type";
      } else if (L.literals.contains(key)) {
        cls = "lit";
      } else if (L.rust_rules && i < n && s[i] == QLatin1Char('!') &&
                 !(i + 1 < n && s[i + 1] == QLatin1Char('='))) {
        ++i;  // a macro: println!, vec!
        cls = "pre";
      } else if (L.capitalized_types && word[0].isUpper() && word.size() > 1 &&
                 std::any_of(word.begin(), word.end(), [](QChar ch) { return ch.isLower(); })) {
        cls = "type";
      } else if (i < n && s[i] == QLatin1Char('(') && L.mode == Mode::Generic) {
        cls = "fn";
      }
    } else {
      ++i;
    }
    line_start = false;
    if (cls)
      w.span(cls, QStringView(s).mid(start, i - start));
    else
      w.plain(QStringView(s).mid(start, i - start));
  }
}

// A word in a YAML value or flow collection: a literal, a number, an anchor/alias, or text.
const char* yaml_word_class(const QString& word, const Language& L) {
  static const QRegularExpression kNumber(
      QStringLiteral("^[-+]?(\\d[\\d_]*(\\.\\d*)?([eE][-+]?\\d+)?|0x[0-9a-fA-F]+|0o[0-7]+|\\.inf|\\.nan)$"));
  if (L.literals.contains(word)) return "lit";
  if (kNumber.match(word).hasMatch()) return "num";
  if (word.size() > 1 && (word[0] == QLatin1Char('&') || word[0] == QLatin1Char('*'))) return "var";
  if (word.startsWith(QLatin1String("!!"))) return "pre";
  return nullptr;
}

void highlight_yaml(const QString& s, const Language& L, Writer& w) {
  static const QRegularExpression kKey(
      QStringLiteral("^(\\s*(?:-\\s+)?)(\"[^\"]*\"|'[^']*'|[^\\s#'\"{\\[][^#]*?)(\\s*:)(?=\\s|$)"));
  const QStringList lines = s.split(QLatin1Char('\n'));
  for (qsizetype li = 0; li < lines.size(); ++li) {
    if (li > 0) w.plain(u"\n");
    const QString& line = lines[li];
    if (line.startsWith(QLatin1String("---")) || line.startsWith(QLatin1String("..."))) {
      w.span("pre", line);
      continue;
    }
    qsizetype i = 0;
    const QRegularExpressionMatch key = kKey.match(line);
    if (key.hasMatch()) {
      w.plain(key.captured(1));
      w.span("attr", key.captured(2));
      w.plain(key.captured(3));
      i = key.capturedEnd(3);
    }
    const qsizetype n = line.size();
    while (i < n) {
      const QChar c = line[i];
      if (c == QLatin1Char('#') && (i == 0 || line[i - 1].isSpace())) {
        w.span("com", QStringView(line).mid(i));
        break;
      }
      if (c == QLatin1Char('"') || c == QLatin1Char('\'')) {
        const qsizetype e = string_end(line, i, false, c == QLatin1Char('"'));
        w.span("str", QStringView(line).mid(i, e - i));
        i = e;
        continue;
      }
      if (c.isSpace() || QStringLiteral(",[]{}-:|>").contains(c)) {
        w.plain(QStringView(line).mid(i, 1));
        ++i;
        continue;
      }
      qsizetype e = i;
      while (e < n && !line[e].isSpace() && !QStringLiteral(",[]{}").contains(line[e])) ++e;
      const QString word = line.mid(i, e - i);
      if (const char* cls = yaml_word_class(word, L))
        w.span(cls, word);
      else
        w.plain(word);
      i = e;
    }
  }
}

void highlight_markup(const QString& s, Writer& w) {
  const qsizetype n = s.size();
  qsizetype i = 0;
  auto until = [&](qsizetype from, const QString& end) {
    const qsizetype e = s.indexOf(end, from);
    return e < 0 ? n : e + end.size();
  };
  while (i < n) {
    const QStringView rest = QStringView(s).mid(i);
    if (rest.startsWith(u"<!--")) {
      const qsizetype e = until(i + 4, QStringLiteral("-->"));
      w.span("com", QStringView(s).mid(i, e - i));
      i = e;
    } else if (rest.startsWith(u"<![CDATA[")) {
      const qsizetype e = until(i, QStringLiteral("]]>"));
      w.span("str", QStringView(s).mid(i, e - i));
      i = e;
    } else if (rest.startsWith(u"<?") || rest.startsWith(u"<!")) {
      const qsizetype e = until(i, QStringLiteral(">"));
      w.span("pre", QStringView(s).mid(i, e - i));
      i = e;
    } else if (s[i] == QLatin1Char('<') && i + 1 < n &&
               (ident_start(s[i + 1]) || s[i + 1] == QLatin1Char('/'))) {
      qsizetype j = i + 1;
      if (s[j] == QLatin1Char('/')) ++j;
      while (j < n && (ident_char(s[j]) || s[j] == QLatin1Char('-') || s[j] == QLatin1Char(':') ||
                       s[j] == QLatin1Char('.')))
        ++j;
      w.span("tag", QStringView(s).mid(i, j - i));
      i = j;
      while (i < n && s[i] != QLatin1Char('>')) {  // attributes
        const QChar c = s[i];
        if (c == QLatin1Char('"') || c == QLatin1Char('\'')) {
          const qsizetype e = string_end(s, i, true, false);
          w.span("str", QStringView(s).mid(i, e - i));
          i = e;
        } else if (ident_start(c)) {
          qsizetype e = i;
          while (e < n && (ident_char(s[e]) || s[e] == QLatin1Char('-') || s[e] == QLatin1Char(':'))) ++e;
          w.span("attr", QStringView(s).mid(i, e - i));
          i = e;
        } else if (c == QLatin1Char('/') && i + 1 < n && s[i + 1] == QLatin1Char('>')) {
          break;
        } else if (c == QLatin1Char('<')) {
          break;  // a tag that never closed: the next one starts here
        } else {
          w.plain(QStringView(s).mid(i, 1));
          ++i;
        }
      }
      if (i < n && s[i] == QLatin1Char('/')) {
        w.span("tag", u"/>");
        i += 2;
      } else if (i < n && s[i] == QLatin1Char('>')) {
        w.span("tag", u">");
        ++i;
      }
    } else if (s[i] == QLatin1Char('&')) {
      qsizetype e = i + 1;
      while (e < n && e - i < 12 && (s[e].isLetterOrNumber() || s[e] == QLatin1Char('#'))) ++e;
      if (e < n && s[e] == QLatin1Char(';') && e > i + 1) {
        w.span("lit", QStringView(s).mid(i, e + 1 - i));
        i = e + 1;
      } else {
        w.plain(u"&");
        ++i;
      }
    } else {
      w.plain(QStringView(s).mid(i, 1));
      ++i;
    }
  }
}

void highlight_markdown(const QString& s, Writer& w) {
  static const QRegularExpression kListMarker(QStringLiteral("^(\\s*)([-*+]|\\d+[.)])(\\s+)"));
  static const QRegularExpression kInline(QStringLiteral("(`+)(.+?)\\1|\\]\\(([^)\\s]*)\\)"));
  const QStringList lines = s.split(QLatin1Char('\n'));
  bool in_fence = false;
  for (qsizetype li = 0; li < lines.size(); ++li) {
    if (li > 0) w.plain(u"\n");
    const QString& line = lines[li];
    const QString t = line.trimmed();
    if (t.startsWith(QLatin1String("```")) || t.startsWith(QLatin1String("~~~"))) {
      in_fence = !in_fence;
      w.span("pre", line);
      continue;
    }
    if (in_fence) {
      w.span("str", line);
      continue;
    }
    if (t.startsWith(QLatin1Char('#'))) {
      w.span("head", line);
      continue;
    }
    if (t.startsWith(QLatin1Char('>'))) {
      w.span("com", line);
      continue;
    }
    qsizetype i = 0;
    if (const auto m = kListMarker.match(line); m.hasMatch()) {
      w.plain(m.captured(1));
      w.span("pre", m.captured(2));
      w.plain(m.captured(3));
      i = m.capturedEnd(3);
    }
    auto it = kInline.globalMatch(line, i);
    while (it.hasNext()) {
      const QRegularExpressionMatch m = it.next();
      w.plain(QStringView(line).mid(i, m.capturedStart() - i));
      if (m.capturedStart(1) >= 0) {
        w.span("str", m.captured(0));
      } else {
        w.plain(u"](");
        w.span("attr", m.captured(3));
        w.plain(u")");
      }
      i = m.capturedEnd();
    }
    w.plain(QStringView(line).mid(i));
  }
}

}  // namespace

QList<Piece> pieces(const QString& code, const QString& language) {
  const Language* L = find_language(language);
  if (!L) return code.isEmpty() ? QList<Piece>() : QList<Piece>{Piece{-1, code.size()}};
  Writer w;
  switch (L->mode) {
    case Mode::Generic:
    case Mode::Json:
      highlight_generic(code, *L, w);
      break;
    case Mode::Yaml:
      highlight_yaml(code, *L, w);
      break;
    case Mode::Markup:
      highlight_markup(code, w);
      break;
    case Mode::Markdown:
      highlight_markdown(code, w);
      break;
  }
  return w.take();
}

TokenStyle token_style(int kind, bool dark) {
  if (kind < 0 || kind >= kClasses) return {};
  const ClassStyle& s = kStyles[kind];
  return TokenStyle{QColor(QLatin1String(dark ? s.dark : s.light)), s.italic, s.bold};
}

QString highlight(const QString& code, const QString& language, bool dark) {
  QString out;
  qsizetype at = 0;
  for (const Piece& p : pieces(code, language)) {
    const QString text = code.mid(at, p.length).toHtmlEscaped();
    at += p.length;
    if (p.kind < 0) {
      out += text;
      continue;
    }
    const ClassStyle& s = kStyles[p.kind];
    out += QStringLiteral("<span class=\"%1\" style=\"color:%2%3\">")
               .arg(QLatin1String(s.cls), QLatin1String(dark ? s.dark : s.light),
                    s.italic ? QLatin1String(";font-style:italic")
                    : s.bold ? QLatin1String(";font-weight:bold")
                             : QLatin1String(""));
    out += text;
    out += QStringLiteral("</span>");
  }
  return out;
}

}  // namespace codehl
