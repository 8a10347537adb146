#pragma once
// Syntax colouring for fenced code blocks in replies. The output is escaped HTML: the code's own
// text only ever appears escaped, and the one tag written is <span class="…" style="…">, whose
// class names the token kind (so tests can check kinds, not colours):
//   kw keyword · type type name · str string · num number · lit true/false/null-like literal ·
//   com comment · pre preprocessor, decorator, annotation, macro, attribute · fn function call ·
//   var shell/YAML variable or anchor · tag markup tag · attr attribute / key · head heading
// Languages: C, C++, Python, JavaScript, TypeScript, Rust, Go, Java, shell, SQL, JSON, YAML,
// HTML/XML and Markdown, with their common aliases (py, js, ts, sh, bash, yml, md, c++...).
// An unknown or empty language gives the escaped text with no colour at all.
// pieces() is the same reading as token kinds and lengths, which CodeView (app/code_view.h)
// writes into a document as formats, with no HTML in between.
#include <QColor>
#include <QList>
#include <QString>

namespace codehl {

QString highlight(const QString& code, const QString& language, bool dark);

// The code in order as pieces: `kind` a token class (token_style), or -1 for plain text. Their
// lengths add up to the code's.
struct Piece {
  int kind = -1;
  qsizetype length = 0;
  bool operator==(const Piece&) const = default;
};
QList<Piece> pieces(const QString& code, const QString& language);

// How a kind is shown: its colour and font style. An unknown kind (plain text) has an invalid
// colour.
struct TokenStyle {
  QColor colour;
  bool italic = false;
  bool bold = false;
};
TokenStyle token_style(int kind, bool dark);

}  // namespace codehl
