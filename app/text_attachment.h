#pragma once
// Text files put into a message (dropped on the window, or the composer's Attach button): read,
// checked and quoted as a Markdown code block under the file's name, so that the model reads the
// file and the chat shows it as code, coloured by its extension where the highlighter knows it.
//
// Only text is taken: UTF-8 (with or without its byte order mark) or UTF-16 with one. A file with
// NUL bytes, or bytes that are not UTF-8, is refused, as are empty files and files over the size
// limit (far more than any Falcon model reads at once: the composer's count then warns about the
// window anyway).
#include <QByteArray>
#include <QString>
#include <QStringList>
#include <optional>

namespace attachment {

constexpr qint64 kMaxBytes = 256 * 1024;

struct Result {
  QString markdown;  // the quoted file(s); empty when none can be added
  QString error;     // why not (one line a file), in the user's language
  qint64 bytes = 0;  // the file's size as read
};

Result read(const QString& path, qint64 max_bytes = kMaxBytes);

// Files for one message, in order: each read as read() does, and all of them together at most
// max_bytes (a file that would pass it is refused by name, later smaller ones still taken); the
// quoted files one after the other, the refused ones' reasons one a line.
Result read_files(const QStringList& paths, qint64 max_bytes = kMaxBytes);

// What read_files() does with each file's Result, for readers that take files one at a time
// (AttachmentReader, which reads documents in a helper process).
class Collector {
 public:
  explicit Collector(qint64 max_bytes = kMaxBytes) : max_bytes_(max_bytes) {}
  void add(const QString& path, const Result& r);
  Result result() const;

 private:
  qint64 max_bytes_;
  qint64 total_ = 0;
  QStringList blocks_, refused_;
};

// The text of a file's bytes (its byte order mark left out), or nothing when they are not text
// in the encoding their start names: NUL bytes, bytes that are not UTF-8, a character cut short.
std::optional<QString> text_of(const QByteArray& bytes);

// The Markdown for a file's text: its name on a line of its own (a user's message is shown as
// typed, so no Markdown around it), then the text in a fence longer than any run of backticks in
// it, so nothing in it can close the block. Line ends become "\n".
// `info`, where given, is the fence's info string instead ("text": a document's prose, which the
// chat view wraps).
QString quote(const QString& file_name, const QString& text, const QString& info = {});

}  // namespace attachment
