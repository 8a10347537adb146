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
#include <QString>

namespace codehl {

QString highlight(const QString& code, const QString& language, bool dark);

}  // namespace codehl
