#include "app/text_attachment.h"

#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>
#include <QLocale>
#include <QStringDecoder>
#include <algorithm>
#include <optional>

#include "app/bidi.h"
#include "app/code_languages.h"

namespace attachment {
namespace {

enum class Encoding { Utf8, Utf8Bom, Utf16Le, Utf16Be };

Encoding sniff(const QByteArray& bytes) {
  if (bytes.startsWith("\xEF\xBB\xBF")) return Encoding::Utf8Bom;
  if (bytes.startsWith("\xFF\xFE")) return Encoding::Utf16Le;
  if (bytes.startsWith("\xFE\xFF")) return Encoding::Utf16Be;
  return Encoding::Utf8;
}

}  // namespace

std::optional<QString> text_of(const QByteArray& bytes) {
  const Encoding e = sniff(bytes);
  QByteArrayView body(bytes);
  // Stateless: a character cut at the end is an error, not state kept for more bytes.
  QStringDecoder decoder(e == Encoding::Utf16Le   ? QStringDecoder::Utf16LE
                         : e == Encoding::Utf16Be ? QStringDecoder::Utf16BE
                                                  : QStringDecoder::Utf8,
                         QStringConverter::Flag::Stateless);
  if (e == Encoding::Utf8Bom) body = body.sliced(3);
  if (e == Encoding::Utf16Le || e == Encoding::Utf16Be) body = body.sliced(2);
  // A NUL byte in UTF-8 means binary (text has none).
  if ((e == Encoding::Utf8 || e == Encoding::Utf8Bom) && body.contains('\0')) return {};
  if ((e == Encoding::Utf16Le || e == Encoding::Utf16Be) && body.size() % 2 != 0) return {};
  QString text = decoder.decode(body);
  if (decoder.hasError() || text.contains(QChar(0))) return {};  // (UTF-16 with NUL characters: binary)
  return text;
}

namespace {

int longest_backtick_run(const QString& s) {
  int longest = 0;
  for (int i = 0, run = 0; i < s.size(); ++i) {
    run = s[i] == QLatin1Char('`') ? run + 1 : 0;
    longest = std::max(longest, run);
  }
  return longest;
}

}  // namespace

QString quote(const QString& file_name, const QString& text, const QString& info) {
  QString body = text;
  body.replace(QLatin1String("\r\n"), QLatin1String("\n"));
  body.replace(QLatin1Char('\r'), QLatin1Char('\n'));
  while (body.endsWith(QLatin1Char('\n'))) body.chop(1);
  const QString fence(std::max(3, longest_backtick_run(body) + 1), QLatin1Char('`'));
  // The info string: the extension, where the highlighter knows it ("py", "rs", "yml").
  const QString ext = QFileInfo(file_name).suffix().toLower();
  const QString lang = !info.isEmpty()                                ? info
                       : !ext.isEmpty() && codehl::find_language(ext) ? ext
                                                                      : QString();
  QString name = file_name;  // one line, whatever the name holds
  for (QChar& c : name)
    if (c.category() == QChar::Other_Control) c = QLatin1Char(' ');
  return name + QLatin1String("\n\n") + fence + lang + QLatin1Char('\n') + body + QLatin1Char('\n') + fence;
}

Result read(const QString& path, qint64 max_bytes) {
  const QFileInfo info(path);
  const QString name = bidi::isolated(info.fileName());  // in a sentence; quote() takes the file's own
  auto too_large = [&](qint64 size) -> Result {
    const QLocale locale;
    return {{},
            QCoreApplication::translate(
                "TextAttachment",
                "%1 is too large to add to a message (%2; the limit is %3, already more than a model "
                "reads at once).")
                .arg(name, locale.formattedDataSize(size), locale.formattedDataSize(max_bytes))};
  };
  if (!info.exists())
    return {{}, QCoreApplication::translate("TextAttachment", "%1 is not there any more.").arg(name)};
  if (info.isDir())
    return {{},
            QCoreApplication::translate(
                "TextAttachment",
                "%1 is a folder; only text files and documents (PDF, Word, OpenDocument) can be added to a "
                "message.")
                .arg(name)};
  const QString not_text =
      QCoreApplication::translate(
          "TextAttachment",
          "%1 is not a text file (in UTF-8), a PDF or a Word or OpenDocument document; only text can "
          "be added to a message.")
          .arg(name);
  if (!info.isFile()) return {{}, not_text};  // a device, a pipe, a socket
  if (info.size() > max_bytes) return too_large(info.size());
  QFile file(path);
  if (!file.open(QIODevice::ReadOnly))
    return {{},
            QCoreApplication::translate("TextAttachment", "%1 could not be read: %2")
                .arg(name, file.errorString())};
  // One byte more than allowed: a file that grew since the check is still caught.
  const QByteArray bytes = file.read(max_bytes + 1);
  if (file.error() != QFileDevice::NoError)
    return {{},
            QCoreApplication::translate("TextAttachment", "%1 could not be read: %2")
                .arg(name, file.errorString())};
  if (bytes.size() > max_bytes) return too_large(bytes.size());
  const std::optional<QString> text = text_of(bytes);
  if (!text) return {{}, not_text};
  if (text->trimmed().isEmpty())
    return {{}, QCoreApplication::translate("TextAttachment", "%1 is empty.").arg(name)};
  return {quote(info.fileName(), *text), {}, bytes.size()};
}

void Collector::add(const QString& path, const Result& r) {
  if (!r.error.isEmpty()) {
    refused_ << r.error;
  } else if (total_ + r.bytes > max_bytes_) {
    refused_ << QCoreApplication::translate("TextAttachment",
                                            "%1 was not added: with the files before it the message would "
                                            "hold more than %2, already more than a model reads at once.")
                    .arg(bidi::isolated(QFileInfo(path).fileName()), QLocale().formattedDataSize(max_bytes_));
  } else {
    total_ += r.bytes;
    blocks_ << r.markdown;
  }
}

Result Collector::result() const {
  return {blocks_.join(QLatin1String("\n\n")), refused_.join(QLatin1Char('\n')), total_};
}

Result read_files(const QStringList& paths, qint64 max_bytes) {
  Collector c(max_bytes);
  for (const QString& path : paths) c.add(path, read(path, max_bytes));
  return c.result();
}

}  // namespace attachment
