#pragma once
// Markdown as the chat view's pre-processing reads it, line by line (MessageFormatter's fences
// and neutralizer, math_text's formulas and line breaks): code spans, list items, rules.
#include <QString>
#include <QStringList>
#include <QStringView>
#include <algorithm>

namespace markdown {

inline qsizetype leadingSpaces(QStringView line) {
  qsizetype n = 0;
  while (n < line.size() && line[n] == QLatin1Char(' ')) ++n;
  return n;
}

// Whether `line` (of a text split at "\n") is blank as md4c reads it: only spaces and tabs, and the
// "\r" of a "\r\n" (a no-break space is text).
inline bool isBlank(QStringView line) {
  return std::all_of(line.begin(), line.end(), [](QChar c) {
    return c == QLatin1Char(' ') || c == QLatin1Char('\t') || c == QLatin1Char('\r');
  });
}

// Whether `line` starts a list item: "-", "*" or "+", or 1-9 digits and "." or ")", then a space.
inline bool isListItem(QStringView line) {
  const qsizetype at = leadingSpaces(line);
  if (at + 1 < line.size() && QStringView(u"-*+").contains(line[at]) && line[at + 1] == QLatin1Char(' '))
    return true;
  qsizetype d = at;
  while (d < line.size() && d - at < 9 && line[d].isDigit()) ++d;
  return d > at && d + 1 < line.size() && (line[d] == QLatin1Char('.') || line[d] == QLatin1Char(')')) &&
         line[d + 1] == QLatin1Char(' ');
}

// Whether lines[i], indented by `indent`, sits in a list item: the nearest line above it that is
// not blank and indented less starts an item ("- Create it:" above "    ```sh"). Looked for in
// the 400 lines above only, so that a message of such lines stays linear.
inline bool insideListItem(const QStringList& lines, qsizetype i, qsizetype indent) {
  for (qsizetype j = i - 1; j >= 0 && j >= i - 400; --j) {
    if (lines[j].trimmed().isEmpty() || leadingSpaces(lines[j]) >= indent) continue;
    return isListItem(lines[j]);
  }
  return false;
}

// Whether a non-blank `line` is only "-", "*", "_" or "=" (and spaces): a thematic break or a
// heading's underline, no paragraph's text.
inline bool isRule(QStringView line) {
  line = line.trimmed();
  return !line.isEmpty() && std::all_of(line.begin(), line.end(), [](QChar c) {
    return c == QLatin1Char('-') || c == QLatin1Char('*') || c == QLatin1Char('_') || c == QLatin1Char('=') ||
           c == QLatin1Char(' ');
  });
}

// Whether text[from, to) holds a blank line (only spaces and tabs between two line ends, "\n",
// "\r" or "\r\n", as md4c reads them): where a paragraph ends, whatever else it holds.
inline bool hasBlankLine(const QString& text, qsizetype from, qsizetype to) {
  auto line_end = [&](qsizetype k) { return text[k] == QLatin1Char('\n') || text[k] == QLatin1Char('\r'); };
  for (qsizetype k = from; k < to; ++k) {
    if (!line_end(k)) continue;
    qsizetype j = k + 1;
    if (text[k] == QLatin1Char('\r') && j < to && text[j] == QLatin1Char('\n')) ++j;
    while (j < to && (text[j] == QLatin1Char(' ') || text[j] == QLatin1Char('\t'))) ++j;
    if (j < to && line_end(j)) return true;
    k = j - 1;
  }
  return false;
}

// A code span: a run of k backticks up to the next run of exactly k on the same line (ended by
// "\n" or "\r", as md4c ends lines). Searched within the line only, so many unclosed runs cost
// linear time, not quadratic.

struct CodeSpan {
  qsizetype run = 0;     // the backticks that open it (k)
  qsizetype close = -1;  // where the closing run starts; -1: none on the line (literal backticks)
};

// The span that the backtick at text[at] opens.
inline CodeSpan codeSpanAt(const QString& text, qsizetype at) {
  const qsizetype n = text.size();
  CodeSpan span;
  while (at + span.run < n && text[at + span.run] == QLatin1Char('`')) ++span.run;
  // The runs after it on the line, each whole: a closing run is exactly as long (the last
  // backtick of a longer run closes nothing; found by fuzz_markdown).
  for (qsizetype k = at + span.run; k < n && text[k] != QLatin1Char('\n') && text[k] != QLatin1Char('\r');) {
    if (text[k] != QLatin1Char('`')) {
      ++k;
      continue;
    }
    qsizetype len = 0;
    while (k + len < n && text[k + len] == QLatin1Char('`')) ++len;
    if (len == span.run) {
      span.close = k;
      break;
    }
    k += len;
  }
  return span;
}

}  // namespace markdown
