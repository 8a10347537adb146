// Syntax colouring of code blocks (app/code_highlighter.h) on real snippets of each language:
// specific tokens must come out with specific classes, identifiers and punctuation must stay
// uncoloured, and the output must stay escaped HTML whose only tags are our spans.
#include <QRegularExpression>
#include <QtTest>
#include <algorithm>

#include "app/code_highlighter.h"

namespace {

struct Token {
  QString cls;
  QString text;
};

QString unescape(QString s) {
  s.replace(QStringLiteral("&lt;"), QStringLiteral("<"));
  s.replace(QStringLiteral("&gt;"), QStringLiteral(">"));
  s.replace(QStringLiteral("&quot;"), QStringLiteral("\""));
  s.replace(QStringLiteral("&amp;"), QStringLiteral("&"));
  return s;
}

// The coloured tokens of an output, in order. When anything else looks like a tag, or the
// uncoloured text plus the tokens do not give back the input, it warns and returns one token of
// class "error".
QList<Token> tokens(const QString& code, const QString& language) {
  static const QRegularExpression kSpan(QStringLiteral(
      "<span class=\"([a-z]+)\" style=\"color:#[0-9a-f]{6}(;[a-z-]+:[a-z]+)?\">([^<]*)</span>"));
  const QString html = codehl::highlight(code, language, false);
  QList<Token> out;
  QString rebuilt;
  qsizetype at = 0;
  auto it = kSpan.globalMatch(html);
  while (it.hasNext()) {
    const QRegularExpressionMatch m = it.next();
    const QString between = html.mid(at, m.capturedStart() - at);
    if (between.contains(QLatin1Char('<')) || between.contains(QLatin1Char('>'))) {
      qWarning("stray markup in %s", qPrintable(html));
      return {{QStringLiteral("error"), html}};
    }
    rebuilt += unescape(between) + unescape(m.captured(3));
    out.append({m.captured(1), unescape(m.captured(3))});
    at = m.capturedEnd();
  }
  const QString tail = html.mid(at);
  if (tail.contains(QLatin1Char('<')) || tail.contains(QLatin1Char('>'))) {
    qWarning("stray markup in %s", qPrintable(html));
    return {{QStringLiteral("error"), html}};
  }
  rebuilt += unescape(tail);
  if (rebuilt != code) {
    qWarning("text changed:\n%s\n---\n%s", qPrintable(code), qPrintable(rebuilt));
    return {{QStringLiteral("error"), rebuilt}};
  }
  return out;
}

QString class_of(const QList<Token>& toks, const QString& text) {
  for (const Token& t : toks)
    if (t.text == text) return t.cls;
  return QStringLiteral("(plain)");
}

}  // namespace

class CodeHighlighterTest : public QObject {
  Q_OBJECT

 private slots:
  void python() {
    const auto t = tokens(QStringLiteral("@dataclass\nclass Point:\n    def norm(self) -> float:  # length\n"
                                         "        s = f\"{self.x}\" + r'\\d' + \"\"\"doc\n\"\"\"\n"
                                         "        return 0x1F + 3.5e-2 if True else None\n"),
                          QStringLiteral("py"));
    QCOMPARE(class_of(t, QStringLiteral("@dataclass")), QStringLiteral("pre"));
    QCOMPARE(class_of(t, QStringLiteral("class")), QStringLiteral("kw"));
    QCOMPARE(class_of(t, QStringLiteral("def")), QStringLiteral("kw"));
    QCOMPARE(class_of(t, QStringLiteral("float")), QStringLiteral("type"));
    QCOMPARE(class_of(t, QStringLiteral("# length")), QStringLiteral("com"));
    QCOMPARE(class_of(t, QStringLiteral("f\"{self.x}\"")), QStringLiteral("str"));
    QCOMPARE(class_of(t, QStringLiteral("r'\\d'")), QStringLiteral("str"));
    QCOMPARE(class_of(t, QStringLiteral("\"\"\"doc\n\"\"\"")), QStringLiteral("str"));
    QCOMPARE(class_of(t, QStringLiteral("0x1F")), QStringLiteral("num"));
    QCOMPARE(class_of(t, QStringLiteral("3.5e-2")), QStringLiteral("num"));
    QCOMPARE(class_of(t, QStringLiteral("True")), QStringLiteral("lit"));
    QCOMPARE(class_of(t, QStringLiteral("None")), QStringLiteral("lit"));
    QCOMPARE(class_of(t, QStringLiteral("Point")), QStringLiteral("(plain)"));
    QCOMPARE(class_of(t, QStringLiteral("s")), QStringLiteral("(plain)"));
  }

  void cpp() {
    const auto t =
        tokens(QStringLiteral("#include <vector>\n/* block\n comment */\nstd::size_t count(const "
                              "std::vector<int>& v) {\n  return v.empty() ? 0u : 'x' + \"a\\\"b\"; "
                              "// tail\n}\n"),
               QStringLiteral("c++"));
    QCOMPARE(class_of(t, QStringLiteral("#include <vector>")), QStringLiteral("pre"));
    QCOMPARE(class_of(t, QStringLiteral("/* block\n comment */")), QStringLiteral("com"));
    QCOMPARE(class_of(t, QStringLiteral("const")), QStringLiteral("kw"));
    QCOMPARE(class_of(t, QStringLiteral("int")), QStringLiteral("type"));
    QCOMPARE(class_of(t, QStringLiteral("vector")), QStringLiteral("type"));
    QCOMPARE(class_of(t, QStringLiteral("count")), QStringLiteral("fn"));
    QCOMPARE(class_of(t, QStringLiteral("return")), QStringLiteral("kw"));
    QCOMPARE(class_of(t, QStringLiteral("0u")), QStringLiteral("num"));
    QCOMPARE(class_of(t, QStringLiteral("'x'")), QStringLiteral("str"));
    QCOMPARE(class_of(t, QStringLiteral("\"a\\\"b\"")), QStringLiteral("str"));  // escaped quote inside
    QCOMPARE(class_of(t, QStringLiteral("// tail")), QStringLiteral("com"));
    QCOMPARE(class_of(t, QStringLiteral("v")), QStringLiteral("(plain)"));
  }

  void javascript_and_typescript() {
    const auto js = tokens(QStringLiteral("const msg = `hi ${name}\nthere`; // greet\nlet n = null ?? .5;"),
                           QStringLiteral("js"));
    QCOMPARE(class_of(js, QStringLiteral("const")), QStringLiteral("kw"));
    QCOMPARE(class_of(js, QStringLiteral("`hi ${name}\nthere`")), QStringLiteral("str"));
    QCOMPARE(class_of(js, QStringLiteral("// greet")), QStringLiteral("com"));
    QCOMPARE(class_of(js, QStringLiteral("null")), QStringLiteral("lit"));
    QCOMPARE(class_of(js, QStringLiteral(".5")), QStringLiteral("num"));
    const auto ts = tokens(QStringLiteral("interface User { id: number; tags: Array<string> }\n"
                                          "export function load(u: User): boolean { return true }"),
                           QStringLiteral("TypeScript"));
    QCOMPARE(class_of(ts, QStringLiteral("interface")), QStringLiteral("kw"));
    QCOMPARE(class_of(ts, QStringLiteral("User")), QStringLiteral("type"));
    QCOMPARE(class_of(ts, QStringLiteral("number")), QStringLiteral("type"));
    QCOMPARE(class_of(ts, QStringLiteral("boolean")), QStringLiteral("type"));
    QCOMPARE(class_of(ts, QStringLiteral("load")), QStringLiteral("fn"));
    QCOMPARE(class_of(ts, QStringLiteral("true")), QStringLiteral("lit"));
  }

  void rust() {
    const auto t = tokens(QStringLiteral("#[derive(Debug)]\nfn longest<'a>(x: &'a str) -> Option<String> {\n"
                                         "    println!(\"{}\", 'c'); let mut n: u64 = 1_000;\n    None\n}"),
                          QStringLiteral("rs"));
    QCOMPARE(class_of(t, QStringLiteral("#[derive(Debug)]")), QStringLiteral("pre"));
    QCOMPARE(class_of(t, QStringLiteral("fn")), QStringLiteral("kw"));
    QCOMPARE(class_of(t, QStringLiteral("'a")), QStringLiteral("pre"));  // a lifetime, not a char
    QCOMPARE(class_of(t, QStringLiteral("str")), QStringLiteral("type"));
    QCOMPARE(class_of(t, QStringLiteral("Option")), QStringLiteral("type"));
    QCOMPARE(class_of(t, QStringLiteral("println!")), QStringLiteral("pre"));
    QCOMPARE(class_of(t, QStringLiteral("'c'")), QStringLiteral("str"));
    QCOMPARE(class_of(t, QStringLiteral("mut")), QStringLiteral("kw"));
    QCOMPARE(class_of(t, QStringLiteral("u64")), QStringLiteral("type"));
    QCOMPARE(class_of(t, QStringLiteral("1_000")), QStringLiteral("num"));
    QCOMPARE(class_of(t, QStringLiteral("None")), QStringLiteral("lit"));
  }

  void go_and_java() {
    const auto go =
        tokens(QStringLiteral("package main\nfunc add(a int, b int) error {\n\treturn nil // done\n}\n"
                              "var raw = `C:\\path`"),
               QStringLiteral("golang"));
    QCOMPARE(class_of(go, QStringLiteral("package")), QStringLiteral("kw"));
    QCOMPARE(class_of(go, QStringLiteral("func")), QStringLiteral("kw"));
    QCOMPARE(class_of(go, QStringLiteral("int")), QStringLiteral("type"));
    QCOMPARE(class_of(go, QStringLiteral("error")), QStringLiteral("type"));
    QCOMPARE(class_of(go, QStringLiteral("nil")), QStringLiteral("lit"));
    QCOMPARE(class_of(go, QStringLiteral("`C:\\path`")), QStringLiteral("str"));
    const auto java = tokens(QStringLiteral("@Override\npublic String toString() { return \"P\" + 42L; }"),
                             QStringLiteral("java"));
    QCOMPARE(class_of(java, QStringLiteral("@Override")), QStringLiteral("pre"));
    QCOMPARE(class_of(java, QStringLiteral("public")), QStringLiteral("kw"));
    QCOMPARE(class_of(java, QStringLiteral("String")), QStringLiteral("type"));
    QCOMPARE(class_of(java, QStringLiteral("42L")), QStringLiteral("num"));
  }

  void shell() {
    const auto t =
        tokens(QStringLiteral("#!/bin/sh\nfor f in *.txt; do\n  echo \"$f\" '$HOME' ${PATH} $# # count\n"
                              "done"),
               QStringLiteral("bash"));
    QCOMPARE(class_of(t, QStringLiteral("#!/bin/sh")), QStringLiteral("com"));
    QCOMPARE(class_of(t, QStringLiteral("for")), QStringLiteral("kw"));
    QCOMPARE(class_of(t, QStringLiteral("done")), QStringLiteral("kw"));
    QCOMPARE(class_of(t, QStringLiteral("\"$f\"")), QStringLiteral("str"));
    QCOMPARE(class_of(t, QStringLiteral("'$HOME'")), QStringLiteral("str"));
    QCOMPARE(class_of(t, QStringLiteral("${PATH}")), QStringLiteral("var"));
    QCOMPARE(class_of(t, QStringLiteral("$#")), QStringLiteral("var"));  // not a comment
    QCOMPARE(class_of(t, QStringLiteral("# count")), QStringLiteral("com"));
  }

  void sql() {
    const auto t = tokens(QStringLiteral("SELECT name, COUNT(*) FROM users -- all\nWHERE age > 30 AND "
                                         "note = 'it''s' LIMIT 10;"),
                          QStringLiteral("sqlite"));
    QCOMPARE(class_of(t, QStringLiteral("SELECT")), QStringLiteral("kw"));
    QCOMPARE(class_of(t, QStringLiteral("FROM")), QStringLiteral("kw"));
    QCOMPARE(class_of(t, QStringLiteral("-- all")), QStringLiteral("com"));
    QCOMPARE(class_of(t, QStringLiteral("30")), QStringLiteral("num"));
    QCOMPARE(class_of(t, QStringLiteral("'it'")), QStringLiteral("str"));
    QCOMPARE(class_of(t, QStringLiteral("COUNT")), QStringLiteral("fn"));
    QCOMPARE(class_of(t, QStringLiteral("name")), QStringLiteral("(plain)"));
  }

  void json_and_yaml() {
    const auto j =
        tokens(QStringLiteral("{\"name\": \"falcon\", \"layers\": 32, \"tied\": true, \"x\": null}"),
               QStringLiteral("json"));
    QCOMPARE(class_of(j, QStringLiteral("\"name\"")), QStringLiteral("attr"));
    QCOMPARE(class_of(j, QStringLiteral("\"falcon\"")), QStringLiteral("str"));
    QCOMPARE(class_of(j, QStringLiteral("32")), QStringLiteral("num"));
    QCOMPARE(class_of(j, QStringLiteral("true")), QStringLiteral("lit"));
    QCOMPARE(class_of(j, QStringLiteral("null")), QStringLiteral("lit"));
    const auto y =
        tokens(QStringLiteral("---\nmodel: falcon-7b  # the base\nlayers: 32\nlist:\n  - name: \"a b\"\n"
                              "    enabled: yes\nbase: &b\n"),
               QStringLiteral("yml"));
    QCOMPARE(class_of(y, QStringLiteral("---")), QStringLiteral("pre"));
    QCOMPARE(class_of(y, QStringLiteral("model")), QStringLiteral("attr"));
    QCOMPARE(class_of(y, QStringLiteral("falcon-7b")), QStringLiteral("(plain)"));
    QCOMPARE(class_of(y, QStringLiteral("# the base")), QStringLiteral("com"));
    QCOMPARE(class_of(y, QStringLiteral("32")), QStringLiteral("num"));
    QCOMPARE(class_of(y, QStringLiteral("name")), QStringLiteral("attr"));
    QCOMPARE(class_of(y, QStringLiteral("\"a b\"")), QStringLiteral("str"));
    QCOMPARE(class_of(y, QStringLiteral("yes")), QStringLiteral("lit"));
    QCOMPARE(class_of(y, QStringLiteral("&b")), QStringLiteral("var"));
  }

  void html_and_markdown() {
    const auto h =
        tokens(QStringLiteral("<!-- nav -->\n<a href=\"/x?a=1&amp;b=2\" class='c'>Go &amp; see</a>"),
               QStringLiteral("html"));
    QCOMPARE(class_of(h, QStringLiteral("<!-- nav -->")), QStringLiteral("com"));
    QCOMPARE(class_of(h, QStringLiteral("<a")), QStringLiteral("tag"));
    QCOMPARE(class_of(h, QStringLiteral("href")), QStringLiteral("attr"));
    QCOMPARE(class_of(h, QStringLiteral("\"/x?a=1&amp;b=2\"")), QStringLiteral("str"));
    QCOMPARE(class_of(h, QStringLiteral("'c'")), QStringLiteral("str"));
    QCOMPARE(class_of(h, QStringLiteral("&amp;")), QStringLiteral("lit"));
    QCOMPARE(class_of(h, QStringLiteral("</a")), QStringLiteral("tag"));
    QCOMPARE(class_of(tokens(QStringLiteral("<?xml version=\"1.0\"?><r/>"), QStringLiteral("xml")),
                      QStringLiteral("<?xml version=\"1.0\"?>")),
             QStringLiteral("pre"));
    const auto m = tokens(QStringLiteral("# Title\n- item with `code`\n> quoted\nsee [docs](http://x)"),
                          QStringLiteral("md"));
    QCOMPARE(class_of(m, QStringLiteral("# Title")), QStringLiteral("head"));
    QCOMPARE(class_of(m, QStringLiteral("-")), QStringLiteral("pre"));
    QCOMPARE(class_of(m, QStringLiteral("`code`")), QStringLiteral("str"));
    QCOMPARE(class_of(m, QStringLiteral("> quoted")), QStringLiteral("com"));
    QCOMPARE(class_of(m, QStringLiteral("http://x")), QStringLiteral("attr"));
  }

  void unknown_or_missing_language_is_plain_escaped_text() {
    for (const QString& lang : {QString(), QStringLiteral("brainfuck"), QStringLiteral("text")}) {
      const QString code = QStringLiteral("if x < 3: return \"<b>\" # &");
      QCOMPARE(codehl::highlight(code, lang, true), code.toHtmlEscaped());
    }
  }

  void aliases_and_decorated_info_strings() {
    const QString code = QStringLiteral("return 1");
    const QString py = codehl::highlight(code, QStringLiteral("python"), false);
    for (const QString& alias : {QStringLiteral("py"), QStringLiteral("Python3"), QStringLiteral("{.python}"),
                                 QStringLiteral("language-py")})
      QCOMPARE(codehl::highlight(code, alias, false), py);
    QVERIFY(codehl::highlight(code, QStringLiteral("rust,ignore"), false)
                .contains(QStringLiteral("class=\"kw\"")));
  }

  void hostile_text_stays_escaped_in_every_language() {
    const QString evil =
        QStringLiteral("<img src=x onerror=alert(1)> \"</span><script>\" '<b>' <!-- --> &lt;");
    for (const QString& lang :
         {QStringLiteral("c"), QStringLiteral("py"), QStringLiteral("js"), QStringLiteral("sh"),
          QStringLiteral("sql"), QStringLiteral("json"), QStringLiteral("yaml"), QStringLiteral("html"),
          QStringLiteral("md"), QStringLiteral("rust")}) {
      const QString html = codehl::highlight(evil, lang, true);
      QVERIFY2(!html.contains(QStringLiteral("<img")) && !html.contains(QStringLiteral("<script")) &&
                   !html.contains(QStringLiteral("<b>")),
               qPrintable(lang + QStringLiteral(": ") + html));
      // The text comes back unchanged and nothing but our spans is markup.
      const QList<Token> toks = tokens(evil, lang);
      QVERIFY2(std::none_of(toks.begin(), toks.end(),
                            [](const Token& t) { return t.cls == QLatin1String("error"); }),
               qPrintable(lang));
    }
  }
};

QTEST_GUILESS_MAIN(CodeHighlighterTest)
#include "test_code_highlighter.moc"
