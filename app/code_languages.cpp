#include "app/code_languages.h"

#include <QHash>
#include <vector>

namespace codehl {
namespace {

QSet<QString> words(const char* list) {
  QSet<QString> out;
  for (const QString& w : QString::fromLatin1(list).split(QLatin1Char(' '), Qt::SkipEmptyParts))
    out.insert(w);
  return out;
}

const char* const kCKeywords =
    "if else for while do switch case default break continue return goto sizeof typedef struct union enum "
    "static extern const volatile register inline restrict";
const char* const kCppKeywords =
    "alignas alignof asm auto catch class co_await co_return co_yield concept consteval constexpr constinit "
    "const_cast decltype delete dynamic_cast explicit export friend mutable namespace new noexcept operator "
    "private protected public reinterpret_cast requires static_assert static_cast template this thread_local "
    "throw try typeid typename using virtual override final";
const char* const kCTypes =
    "void char short int long float double signed unsigned bool _Bool size_t ssize_t ptrdiff_t int8_t "
    "int16_t "
    "int32_t int64_t uint8_t uint16_t uint32_t uint64_t intptr_t uintptr_t wchar_t char8_t char16_t char32_t "
    "FILE";
const char* const kCppTypes =
    "string string_view vector map unordered_map set array span optional unique_ptr "
    "shared_ptr pair tuple";

std::vector<Language> make_languages() {
  std::vector<Language> all;
  {
    Language l;
    l.name = QStringLiteral("c");
    l.keywords = words(kCKeywords);
    l.types = words(kCTypes);
    l.literals = words("NULL true false");
    l.line_comments = {QStringLiteral("//")};
    l.block_open = QStringLiteral("/*");
    l.block_close = QStringLiteral("*/");
    l.hash_preprocessor = true;
    all.push_back(l);
    l.name = QStringLiteral("cpp");
    l.keywords.unite(words(kCppKeywords));
    l.types.unite(words(kCppTypes));
    l.literals = words("nullptr true false NULL");
    all.push_back(l);
  }
  {
    Language l;
    l.name = QStringLiteral("python");
    l.keywords = words(
        "and as assert async await break class continue def del elif else except finally for from global if "
        "import in is lambda nonlocal not or pass raise return try while with yield match case self cls "
        "print");
    l.types = words("int float str bytes bool list dict set tuple object complex type Exception");
    l.literals = words("True False None");
    l.line_comments = {QStringLiteral("#")};
    l.triple_quotes = true;
    l.string_prefixes = true;
    l.at_annotations = true;
    all.push_back(l);
  }
  {
    Language l;
    l.name = QStringLiteral("javascript");
    l.keywords = words(
        "async await break case catch class const continue debugger default delete do else export extends "
        "finally for from function get if import in instanceof let new of return set static super switch "
        "this "
        "throw try typeof var void while with yield");
    l.types =
        words("Array Object String Number Boolean Promise Map Set Date Error RegExp Symbol BigInt JSON Math");
    l.literals = words("true false null undefined NaN Infinity");
    l.line_comments = {QStringLiteral("//")};
    l.block_open = QStringLiteral("/*");
    l.block_close = QStringLiteral("*/");
    l.quotes = QStringLiteral("\"'`");
    l.multiline_quotes = QStringLiteral("`");
    all.push_back(l);
    l.name = QStringLiteral("typescript");
    l.keywords.unite(words(
        "interface type enum implements public private protected readonly declare namespace abstract as is "
        "keyof infer satisfies module"));
    l.types.unite(words("string number boolean any unknown never object symbol bigint void Record Partial"));
    l.at_annotations = true;
    l.capitalized_types = true;
    all.push_back(l);
  }
  {
    Language l;
    l.name = QStringLiteral("rust");
    l.keywords = words(
        "as async await break const continue crate dyn else enum extern fn for if impl in let loop match mod "
        "move mut pub ref return self static struct super trait type unsafe use where while");
    l.types = words(
        "i8 i16 i32 i64 i128 isize u8 u16 u32 u64 u128 usize f32 f64 bool char str String Vec Option Result "
        "Box "
        "Rc Arc Self HashMap");
    l.literals = words("true false None Some Ok Err");
    l.line_comments = {QStringLiteral("//")};
    l.block_open = QStringLiteral("/*");
    l.block_close = QStringLiteral("*/");
    l.quotes = QStringLiteral("\"'");
    l.multiline_quotes = QStringLiteral("\"");
    l.capitalized_types = true;
    l.rust_rules = true;
    all.push_back(l);
  }
  {
    Language l;
    l.name = QStringLiteral("go");
    l.keywords = words(
        "break case chan const continue default defer else fallthrough for func go goto if import interface "
        "map "
        "package range return select struct switch type var");
    l.types = words(
        "bool byte complex64 complex128 error float32 float64 int int8 int16 int32 int64 rune string uint "
        "uint8 "
        "uint16 uint32 uint64 uintptr any");
    l.literals = words("true false nil iota");
    l.line_comments = {QStringLiteral("//")};
    l.block_open = QStringLiteral("/*");
    l.block_close = QStringLiteral("*/");
    l.quotes = QStringLiteral("\"'`");
    l.multiline_quotes = QStringLiteral("`");
    all.push_back(l);
  }
  {
    Language l;
    l.name = QStringLiteral("java");
    l.keywords = words(
        "abstract assert break case catch class continue default do else enum extends final finally for if "
        "implements import instanceof interface native new package private protected public return static "
        "strictfp super switch synchronized this throw throws transient try volatile while var record yield "
        "sealed permits");
    l.types = words(
        "boolean byte char double float int long short void String Object Integer Long Double List Map");
    l.literals = words("true false null");
    l.line_comments = {QStringLiteral("//")};
    l.block_open = QStringLiteral("/*");
    l.block_close = QStringLiteral("*/");
    l.at_annotations = true;
    l.capitalized_types = true;
    all.push_back(l);
  }
  {
    Language l;
    l.name = QStringLiteral("shell");
    l.keywords = words(
        "if then else elif fi for while until do done case esac in function return local export readonly "
        "declare unset shift exit source alias echo printf cd read set trap eval exec test");
    l.literals = words("true false");
    l.line_comments = {QStringLiteral("#")};
    l.multiline_quotes = QStringLiteral("\"'");
    l.dollar_variables = true;
    l.hash_comment_needs_space = true;
    all.push_back(l);
  }
  {
    Language l;
    l.name = QStringLiteral("sql");
    l.keywords = words(
        "select from where insert into values update set delete create table drop alter add column index on "
        "join left right inner outer full cross natural group by order having limit offset as and or not is "
        "in exists between like glob distinct union all intersect except primary key foreign references "
        "default unique check constraint begin commit rollback transaction view trigger case when then else "
        "end with recursive returning if replace asc desc collate pragma explain");
    l.types = words(
        "int integer bigint smallint tinyint text varchar char boolean real double float numeric decimal "
        "date "
        "time timestamp datetime blob serial uuid json jsonb");
    l.literals = words("true false null");
    l.line_comments = {QStringLiteral("--")};
    l.block_open = QStringLiteral("/*");
    l.block_close = QStringLiteral("*/");
    l.quotes = QStringLiteral("'");
    l.multiline_quotes = QStringLiteral("'");
    l.case_insensitive = true;
    all.push_back(l);
  }
  {
    Language l;
    l.name = QStringLiteral("json");
    l.mode = Mode::Json;
    l.literals = words("true false null");
    l.line_comments = {QStringLiteral("//")};  // JSONC; never valid JSON, so harmless there
    l.block_open = QStringLiteral("/*");
    l.block_close = QStringLiteral("*/");
    l.quotes = QStringLiteral("\"");
    all.push_back(l);
  }
  {
    Language l;
    l.name = QStringLiteral("yaml");
    l.mode = Mode::Yaml;
    l.literals = words("true false yes no on off null True False Yes No TRUE FALSE NULL ~");
    all.push_back(l);
  }
  {
    Language l;
    l.name = QStringLiteral("html");
    l.mode = Mode::Markup;
    all.push_back(l);
  }
  {
    Language l;
    l.name = QStringLiteral("markdown");
    l.mode = Mode::Markdown;
    all.push_back(l);
  }
  return all;
}

const char* const kAliases[][2] = {
    {"c", "c"},
    {"h", "c"},
    {"cpp", "cpp"},
    {"c++", "cpp"},
    {"cc", "cpp"},
    {"cxx", "cpp"},
    {"hpp", "cpp"},
    {"hxx", "cpp"},
    {"cuda", "cpp"},
    {"cu", "cpp"},
    {"python", "python"},
    {"py", "python"},
    {"python3", "python"},
    {"py3", "python"},
    {"gyp", "python"},
    {"javascript", "javascript"},
    {"js", "javascript"},
    {"jsx", "javascript"},
    {"mjs", "javascript"},
    {"cjs", "javascript"},
    {"node", "javascript"},
    {"typescript", "typescript"},
    {"ts", "typescript"},
    {"tsx", "typescript"},
    {"rust", "rust"},
    {"rs", "rust"},
    {"go", "go"},
    {"golang", "go"},
    {"java", "java"},
    {"shell", "shell"},
    {"sh", "shell"},
    {"bash", "shell"},
    {"zsh", "shell"},
    {"ksh", "shell"},
    {"console", "shell"},
    {"shellsession", "shell"},
    {"sql", "sql"},
    {"sqlite", "sql"},
    {"postgresql", "sql"},
    {"postgres", "sql"},
    {"mysql", "sql"},
    {"plsql", "sql"},
    {"json", "json"},
    {"jsonc", "json"},
    {"json5", "json"},
    {"yaml", "yaml"},
    {"yml", "yaml"},
    {"html", "html"},
    {"htm", "html"},
    {"xhtml", "html"},
    {"xml", "html"},
    {"svg", "html"},
    {"xsd", "html"},
    {"plist", "html"},
    {"markdown", "markdown"},
    {"md", "markdown"},
};

}  // namespace

const Language* find_language(const QString& name) {
  static const std::vector<Language> kLanguages = make_languages();
  static const QHash<QString, const Language*> kByAlias = [] {
    QHash<QString, const Language*> map;
    for (const auto& alias : kAliases) {
      for (const Language& l : kLanguages)
        if (l.name == QLatin1String(alias[1])) map.insert(QString::fromLatin1(alias[0]), &l);
    }
    return map;
  }();
  // "Python", "{.python}", "language-js", "rust,ignore": the first word, without decoration.
  QString key = name.trimmed().toLower();
  if (key.startsWith(QLatin1Char('{'))) key = key.mid(1);
  if (key.startsWith(QLatin1Char('.'))) key = key.mid(1);
  if (key.startsWith(QLatin1String("language-"))) key = key.mid(9);
  qsizetype end = 0;
  while (end < key.size() && (key[end].isLetterOrNumber() || key[end] == QLatin1Char('+'))) ++end;
  return kByAlias.value(key.left(end), nullptr);
}

}  // namespace codehl
