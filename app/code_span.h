#pragma once
// A Markdown code span as the chat view's pre-processing reads one (MessageFormatter's
// neutralizer, the formula finder): a run of k backticks up to the next run of exactly k on the
// same line. Searched within the line only, so many unclosed runs cost linear time, not
// quadratic.
#include <QString>
#include <QStringView>

namespace markdown {

struct CodeSpan {
  qsizetype run = 0;     // the backticks that open it (k)
  qsizetype close = -1;  // where the closing run starts; -1: none on the line (literal backticks)
};

// The span that the backtick at text[at] opens.
inline CodeSpan codeSpanAt(const QString& text, qsizetype at) {
  const qsizetype n = text.size();
  CodeSpan span;
  while (at + span.run < n && text[at + span.run] == QLatin1Char('`')) ++span.run;
  const QString run(span.run, QLatin1Char('`'));
  qsizetype line_end = text.indexOf(QLatin1Char('\n'), at + span.run);
  if (line_end < 0) line_end = n;
  const QStringView line = QStringView(text).first(line_end);
  qsizetype close = line.indexOf(run, at + span.run);
  while (close >= 0 && close + span.run < n && text[close + span.run] == QLatin1Char('`'))
    close = line.indexOf(run, close + span.run + 1);
  span.close = close;
  return span;
}

}  // namespace markdown
