#pragma once
// The languages the code-block highlighter knows (app/code_highlighter.h): per language its
// keywords, types and literal words, comment and string syntax, and a few special rules. Plain
// data; the lexer that uses it is code_highlighter.cpp.
#include <QSet>
#include <QString>
#include <QStringList>

namespace codehl {

// How a language is lexed: most share the generic C-like lexer (Generic) with their own table;
// the others have small line-oriented lexers of their own.
enum class Mode { Generic, Json, Yaml, Markup, Markdown };

struct Language {
  QString name;  // canonical: "cpp", "python", ...
  Mode mode = Mode::Generic;
  QSet<QString> keywords;
  QSet<QString> types;
  QSet<QString> literals;     // true, false, null, None, nil...
  QStringList line_comments;  // "//", "#", "--"
  QString block_open, block_close;
  QString quotes = QStringLiteral("\"'");  // characters that open a string
  QString multiline_quotes;                // of those, the ones whose strings may span lines
  bool triple_quotes = false;              // Python """…""" and '''…'''
  bool string_prefixes = false;            // Python r"", f"", b""
  bool case_insensitive = false;           // SQL keywords
  bool hash_preprocessor = false;          // C/C++: a line starting with # is a directive
  bool at_annotations = false;             // @decorator / @Annotation
  bool dollar_variables = false;           // shell: $x ${x} $1
  bool capitalized_types = false;          // Java, TS, Rust: Capitalized names are types
  bool rust_rules = false;                 // macros (name!), attributes #[..], lifetimes 'a
  bool hash_comment_needs_space = false;   // shell: # starts a comment only at a word start
};

// The language for a fence's info string ("py", "C++", "shell"...); nullptr when unknown.
const Language* find_language(const QString& name);

}  // namespace codehl
