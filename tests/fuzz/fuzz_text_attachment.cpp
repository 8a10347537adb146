// Fuzz target: a file added to a message (app/text_attachment.*), from its bytes to what the chat
// view shows. Whatever the file holds, decoding it must not crash, and a file taken as text must
// read back through the view's own fence parser (MessageFormatter::segments, plain as a user's
// message is shown) as its name, then one code block holding exactly its text: nothing in the
// file may close the block early or leak out of it.
//
// Input: the file's bytes.
#include <QByteArray>
#include <QVariantMap>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "app/message_formatter.h"
#include "app/text_attachment.h"

namespace {

[[noreturn]] void fail(const char* what, const QString& text) {
  std::fprintf(stderr, "fuzz_text_attachment: %s:\n%s\n", what, text.toUtf8().constData());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const QByteArray bytes(reinterpret_cast<const char*>(data), static_cast<qsizetype>(size));
  const std::optional<QString> text = attachment::text_of(bytes);
  if (!text) return 0;
  if (text->contains(QChar(0))) fail("text with a NUL character was taken", *text);
  QString expected = *text;
  expected.replace(QLatin1String("\r\n"), QLatin1String("\n"));
  expected.replace(QLatin1Char('\r'), QLatin1Char('\n'));
  while (expected.endsWith(QLatin1Char('\n'))) expected.chop(1);

  const QString name = QStringLiteral("notes.md");
  const QString md = attachment::quote(name, *text);
  MessageFormatter formatter;
  const QVariantList s = formatter.segments(md, true);
  if (s.size() != 2) fail("the quoted file is not its name and one code block", md);
  const QVariantMap head = s[0].toMap(), code = s[1].toMap();
  if (head.value(QStringLiteral("kind")) != QLatin1String("plain") ||
      head.value(QStringLiteral("markdown")).toString() != name)
    fail("the name line does not read back", md);
  if (code.value(QStringLiteral("kind")) != QLatin1String("code")) fail("no code block", md);
  if (code.value(QStringLiteral("code")).toString() != expected)
    fail("the code block is not the file's text", md);
  if (code.value(QStringLiteral("language")).toString() != QLatin1String("md"))
    fail("the language is lost", md);
  return 0;
}
