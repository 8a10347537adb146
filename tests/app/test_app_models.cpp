// The list models, proxies and formatters the QML views bind to, over a real store.
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTextBlock>
#include <QTextDocument>
#include <QTextFragment>
#include <QtTest>

#include "app/conversation_list_model.h"
#include "app/date_group.h"
#include "app/falcon_chat_engine.h"
#include "app/markdown_scan.h"
#include "app/message_formatter.h"
#include "app/message_model.h"
#include "app/sampling_config.h"
#include "app/search_results_model.h"
#include "core/store/conversation_store.h"

using namespace falcon;

class AppModelsTest : public QObject {
  Q_OBJECT

  QTemporaryDir dir_;

 private slots:
  void date_groups_follow_the_local_calendar() {
    const QDateTime now(QDate(2026, 3, 10), QTime(9, 0));
    auto at = [](QDate d, QTime t) { return QDateTime(d, t).toMSecsSinceEpoch(); };
    QCOMPARE(date_group(at(QDate(2026, 3, 10), QTime(0, 1)), false, now), DateGroup::Today);
    QCOMPARE(date_group(at(QDate(2026, 3, 9), QTime(23, 59)), false, now), DateGroup::Yesterday);
    QCOMPARE(date_group(at(QDate(2026, 3, 8), QTime(12, 0)), false, now), DateGroup::Previous7Days);
    QCOMPARE(date_group(at(QDate(2026, 3, 3), QTime(12, 0)), false, now), DateGroup::Previous7Days);
    QCOMPARE(date_group(at(QDate(2026, 3, 2), QTime(12, 0)), false, now), DateGroup::Older);
    QCOMPARE(date_group(at(QDate(2025, 1, 1), QTime(12, 0)), true, now), DateGroup::Pinned);
    QCOMPARE(date_group(at(QDate(2026, 3, 11), QTime(12, 0)), false, now), DateGroup::Today);  // clock skew
    QCOMPARE(date_group_title(DateGroup::Previous7Days), QStringLiteral("Previous 7 days"));
  }

  void conversation_proxy_sorts_pinned_first_and_filters() {
    int64_t clock = 1'000'000;
    StoreOptions so;
    so.clock = [&] { return clock; };
    ConversationStore store(dir_.filePath(QStringLiteral("list.db")).toStdString(), so);
    auto make = [&](const char* title) {
      clock += 1000;
      NewConversation n;
      n.title = title;
      return store.create_conversation(n);
    };
    const int64_t a = make("Alpha recipes");
    const int64_t b = make("Beta notes");
    const int64_t c = make("Gamma plans");
    const int64_t d = make("Delta archive");
    store.set_pinned(a, true);
    store.set_archived(d, true);

    ConversationListModel list;
    list.reload(store);
    QCOMPARE(list.rowCount(), 4);
    ConversationFilterModel proxy;
    proxy.setSourceModel(&list);
    QCOMPARE(proxy.count(), 3);
    QCOMPARE(proxy.idAt(0), a);  // pinned first although oldest
    QCOMPARE(proxy.idAt(1), c);  // then newest activity
    QCOMPARE(proxy.idAt(2), b);
    for (int row = 0; row < 3; ++row)
      QCOMPARE(proxy.rowOfId(proxy.idAt(row)), row);  // the sidebar's scroll target
    QCOMPARE(proxy.rowOfId(d), -1);                   // archived: not shown
    QCOMPARE(proxy.rowOfId(12345), -1);
    QCOMPARE(proxy.index(0, 0).data(ConversationListModel::SectionRole).toString(), QStringLiteral("Pinned"));

    QSignalSpy count(&proxy, &ConversationFilterModel::countChanged);
    proxy.setShowArchived(true);
    QCOMPARE(proxy.count(), 1);
    QCOMPARE(proxy.idAt(0), d);
    QVERIFY(count.count() >= 1);
    proxy.setShowArchived(false);

    proxy.setTitleFilter(QStringLiteral("beta"));
    QCOMPARE(proxy.count(), 1);
    QCOMPARE(proxy.idAt(0), b);
    proxy.setTitleFilter(QString());

    proxy.setHiddenId(c);
    QCOMPARE(proxy.count(), 2);
    proxy.setHiddenId(0);
    QCOMPARE(proxy.count(), 3);

    // New activity moves a chat up without a reload of the proxy's source order.
    clock += 1000;
    store.append_message(b, std::nullopt, Role::User, "hi");
    list.refreshRow(store, b);
    QCOMPARE(proxy.idAt(1), b);

    // A chat the list does not have yet reloads the list: a draft typed in another chat and not
    // yet saved stays marked, and one cleared but not yet saved stays unmarked.
    store.set_draft(c, "stored draft, since cleared");
    list.setDraft(c, QString());
    list.setDraft(b, QStringLiteral("typed, not saved yet"));
    const int64_t e = store.create_conversation({});
    list.refreshRow(store, e, {{b, QStringLiteral("typed, not saved yet")}, {c, QString()}});
    QCOMPARE(list.rowCount(), 5);
    auto draft_of = [&](int64_t id) {
      for (int r = 0; r < list.rowCount(); ++r)
        if (list.index(r).data(ConversationListModel::IdRole).toLongLong() == id)
          return list.index(r).data(ConversationListModel::DraftRole).toString();
      return QStringLiteral("(no row)");
    };
    QCOMPARE(draft_of(b), QStringLiteral("typed, not saved yet"));
    QCOMPARE(draft_of(c), QString());
    QCOMPARE(draft_of(e), QString());
  }

  void message_model_shows_the_active_branch_and_streams() {
    ConversationStore store(dir_.filePath(QStringLiteral("msg.db")).toStdString());
    const int64_t conv = store.create_conversation({});
    const int64_t u = store.append_message(conv, std::nullopt, Role::User, "question");
    const int64_t r1 = store.append_message(conv, u, Role::Assistant, "first answer");
    const int64_t r2 = store.append_message(conv, u, Role::Assistant, "second answer");
    MessageModel model;
    QSignalSpy count(&model, &MessageModel::countChanged);
    model.load(store, conv);
    QCOMPARE(count.count(), 1);
    QCOMPARE(model.count(), 2);
    const QModelIndex last = model.index(1);
    QCOMPARE(last.data(MessageModel::IdRole).toLongLong(), r2);
    QCOMPARE(last.data(MessageModel::RoleRole).toString(), QStringLiteral("assistant"));
    QCOMPARE(last.data(MessageModel::SiblingIndexRole).toInt(), 1);
    QCOMPARE(last.data(MessageModel::SiblingCountRole).toInt(), 2);
    QCOMPARE(model.index(0).data(MessageModel::SiblingCountRole).toInt(), 1);

    store.switch_branch(r1);
    model.load(store, conv);
    QCOMPARE(model.index(1).data(MessageModel::TextRole).toString(), QStringLiteral("first answer"));

    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    QVERIFY(model.appendText(r1, QStringLiteral(" and more")));
    QCOMPARE(changed.count(), 1);
    QCOMPARE(model.lastReplyText(), QStringLiteral("first answer and more"));
    QVERIFY(!model.appendText(r2, QStringLiteral("x")));  // not on the shown branch
    model.refreshMessage(store, r1);
    QCOMPARE(model.lastReplyText(), QStringLiteral("first answer"));
  }

  void search_snippets_are_escaped_and_highlighted() {
    QCOMPARE(SearchResultsModel::highlightSnippet("a <img src=x> [match] & b", "[", "]"),
             QStringLiteral("a &lt;img src=x&gt; <b>match</b> &amp; b"));
    QCOMPARE(SearchResultsModel::highlightSnippet("[open", "[", "]"), QStringLiteral("<b>open</b>"));

    ConversationStore store(dir_.filePath(QStringLiteral("search.db")).toStdString());
    NewConversation n;
    n.title = "Cooking";
    const int64_t conv = store.create_conversation(n);
    store.append_message(conv, std::nullopt, Role::User, "How long do I boil <b>pasta</b>?");
    SearchResultsModel model;
    model.search(store, QStringLiteral("pasta"));
    QCOMPARE(model.count(), 1);
    const QString snippet = model.index(0).data(SearchResultsModel::SnippetRole).toString();
    QVERIFY2(snippet.contains(QStringLiteral("<b>pasta</b>")), qPrintable(snippet));
    QVERIFY2(snippet.contains(QStringLiteral("&lt;b&gt;")), qPrintable(snippet));  // the user's markup, inert
    QCOMPARE(model.index(0).data(SearchResultsModel::TitleRole).toString(), QStringLiteral("Cooking"));
    model.search(store, QStringLiteral("   "));
    QCOMPARE(model.count(), 0);
  }

  void sampling_rejects_invalid_values_and_round_trips() {
    SamplingConfig s;
    QVERIFY(s.isDefault());
    QSignalSpy rejected(&s, &SamplingConfig::rejected);
    QSignalSpy edited(&s, &SamplingConfig::edited);
    s.setTemperature(5.0);
    s.setTopP(0.0);
    s.setTopK(-1);
    s.setTemperature(std::nan(""));
    s.setRepeatLastN(-2);
    QCOMPARE(rejected.count(), 5);
    QCOMPARE(edited.count(), 0);
    QVERIFY(s.settings().validate().empty());
    QVERIFY(s.isDefault());

    s.setTemperature(0.2);
    s.setTopK(7);
    s.setSeed(1234);
    s.setStopStrings({QStringLiteral("###"), QString()});
    s.setWindowSize(1024);
    QCOMPARE(edited.count(), 5);
    QVERIFY(!s.isDefault());
    QCOMPARE(s.stopStrings(), QStringList{QStringLiteral("###")});

    SamplingConfig t;
    t.load(s.toJson(), s.windowSize());
    QCOMPARE(t.temperature(), s.temperature());
    QCOMPARE(t.topK(), 7);
    QVERIFY(!t.randomSeed());
    QCOMPARE(t.seed(), 1234);
    QCOMPARE(t.stopStrings(), s.stopStrings());
    QCOMPARE(t.windowSize(), 1024);
    QCOMPARE(t.toJson(), s.toJson());

    t.setRandomSeed(true);
    QVERIFY(!t.settings().seed.has_value());
    t.resetToDefaults();
    QVERIFY(t.isDefault());

    // A damaged row falls back to the defaults field by field.
    SamplingConfig u;
    u.load(QStringLiteral("{\"temperature\": 99, \"top_k\": 5, \"top_p\": \"x\"}"), 3);
    QCOMPARE(u.temperature(), double(SamplingSettings{}.temperature));
    QCOMPARE(u.topK(), 5);
    QCOMPARE(u.topP(), double(SamplingSettings{}.top_p));
    QCOMPARE(u.windowSize(), SamplingConfig::kDefaultWindow);
    u.load(QStringLiteral("not json"), 512);
    QVERIFY(u.isDefault());

    const QVariantMap r = s.range(QStringLiteral("topP"));
    QCOMPARE(r.value(QStringLiteral("to")).toDouble(), 1.0);
    QVERIFY(r.value(QStringLiteral("from")).toDouble() > 0.0);
    QCOMPARE(r.value(QStringLiteral("default")).toDouble(), double(SamplingSettings{}.top_p));
  }

  void replies_use_the_templates_stops_and_turn_markers() {
    SamplingSettings s;
    s.stop_strings = {"END", "\nUser:"};
    const SamplingSettings out = with_template_stops(s, ChatTemplate::falcon_instruct());
    // The user's first, then the template's that were missing; no duplicates.
    QCOMPARE(out.stop_strings, (std::vector<std::string>{"END", "\nUser:", "\nSystem:"}));
    QCOMPARE(out.turn_markers, (std::vector<std::string>{"User:", "System:"}));
    QCOMPARE(out.temperature, s.temperature);
    const SamplingSettings plain = with_template_stops(SamplingSettings{}, ChatTemplate::plain());
    QVERIFY(plain.stop_strings.empty() && plain.turn_markers.empty());
  }

  void markdown_never_forms_images_or_html() {
    QCOMPARE(MessageFormatter::neutralizeMarkdown(QStringLiteral("see ![cat](http://x/cat.png)")),
             QStringLiteral("see !\u200B[cat](http://x/cat.png)"));
    // A permissive autolink takes a backslash into its URL: "http://\![z](…)" was an image
    // (fuzz_markdown), whether the backslash was ours or the model's.
    for (const QString& text :
         {QStringLiteral("http://![z](http://z.png)"), QStringLiteral("http://\\![z](http://z.png)")})
      QVERIFY2(!MessageFormatter::neutralizeMarkdown(text).contains(QStringLiteral("![")),
               qPrintable(MessageFormatter::neutralizeMarkdown(text)));
    QCOMPARE(MessageFormatter::neutralizeMarkdown(QStringLiteral("<img src=\"http://x\"> and <http://y>")),
             QStringLiteral("\\<img src=\"http://x\"> and \\<http://y>"));
    // Code spans are verbatim (escapes would show inside them).
    QCOMPARE(MessageFormatter::neutralizeMarkdown(QStringLiteral("use `a<b` or ``x ` <y``")),
             QStringLiteral("use `a<b` or ``x ` <y``"));
    QCOMPARE(MessageFormatter::neutralizeMarkdown(QStringLiteral("an `unclosed <tag")),
             QStringLiteral("an `unclosed \\<tag"));
    // A backtick run left open on an earlier line of the paragraph can end at the next one (md4c's
    // spans go on over line breaks), so a span after it keeps no "<": "`a\nb `<img …>`" left the tag
    // outside any span, an image (fuzz_markdown). "\r" ends a line too. After a blank line (a new
    // paragraph) a span is verbatim again.
    for (const QString& text :
         {QStringLiteral("`a\nb `<img src=\"x.png\">` c"), QStringLiteral("a `<img src=\"x.png\">\r\rc`"),
          QStringLiteral("``a\nb `x``<img src=\"x.png\">`"),
          QStringLiteral("`a\n\n``b`` and `c\n`<img src=\"x.png\">`")}) {
      const QString out = MessageFormatter::neutralizeMarkdown(text);
      QVERIFY2(out.contains(QStringLiteral("\\<img")), qPrintable(out));
    }
    // A run closes a span only when it is exactly as long: the last backtick of "```" closes no "`"
    // (fuzz_markdown).
    QCOMPARE(MessageFormatter::neutralizeMarkdown(QStringLiteral("a `<img src=\"x.png\"> ```")),
             QStringLiteral("a `\\<img src=\"x.png\"> ```"));
    QCOMPARE(MessageFormatter::neutralizeMarkdown(QStringLiteral("a ``<b> ``` c`` d")),
             QStringLiteral("a ``<b> ``` c`` d"));
    // The line readers under those rules, as md4c reads Markdown: a closing run exactly as long as
    // the opening one; "\r" ends a line; a blank line is spaces and tabs between line ends.
    QCOMPARE(markdown::codeSpanAt(QStringLiteral("`a ``` b` c"), 0).close, 8);
    QCOMPARE(markdown::codeSpanAt(QStringLiteral("``a ` b``"), 0).close, 7);
    QCOMPARE(markdown::codeSpanAt(QStringLiteral("`a\rb`"), 0).close, -1);
    QCOMPARE(markdown::codeSpanAt(QStringLiteral("`a ```"), 0).close, -1);
    auto blank = [](const QString& text) { return markdown::hasBlankLine(text, 0, text.size()); };
    QVERIFY(blank(QStringLiteral("a\r\n \t\r\nb")));
    QVERIFY(blank(QStringLiteral("a\r\rb")));
    QVERIFY(!blank(QStringLiteral("a\n\u00a0\nb")));  // not blank to md4c
    QVERIFY(!blank(QStringLiteral("a\r\nb\nc")));
    QCOMPARE(MessageFormatter::neutralizeMarkdown(QStringLiteral("an `open\n \t\nthen `a<b`")),
             QStringLiteral("an `open\n \t\nthen `a<b`"));
    QCOMPARE(MessageFormatter::neutralizeMarkdown(QStringLiteral("keep \\* and \\<")),
             QStringLiteral("keep \\* and \\<"));

    MessageFormatter f;
    const QVariantList s = f.segments(
        QStringLiteral("Intro **bold**\n\n```python\nx = \"<s>\"  # note\n```\nafter\n```\nstreaming <"));
    QCOMPARE(s.size(), 4);
    QCOMPARE(s[0].toMap().value(QStringLiteral("kind")).toString(), QStringLiteral("text"));
    const QVariantMap code = s[1].toMap();
    QCOMPARE(code.value(QStringLiteral("kind")).toString(), QStringLiteral("code"));
    QCOMPARE(code.value(QStringLiteral("language")).toString(), QStringLiteral("python"));
    QCOMPARE(code.value(QStringLiteral("code")).toString(), QStringLiteral("x = \"<s>\"  # note"));
    QCOMPARE(code.value(QStringLiteral("shown")).toString(), code.value(QStringLiteral("code")).toString());
    QCOMPARE(s[2].toMap().value(QStringLiteral("markdown")).toString().trimmed(), QStringLiteral("after"));
    // An unclosed fence (a reply still streaming) is code up to the end.
    QCOMPARE(s[3].toMap().value(QStringLiteral("code")).toString(), QStringLiteral("streaming <"));
  }

  // A single tilde strikes nothing through: GitHub's Markdown (md4c, Qt's reader) pairs single
  // tildes too, so "3~5 days, or 7~9 days" showed "5 days, or 7" struck through. Only "~~" strikes;
  // a tilde in a URL stays as it was (escaped, it would end the link), as does one in an indented
  // code block (where an escape would show).
  void a_single_tilde_strikes_nothing_through_data() {
    QTest::addColumn<QString>("markdown");
    QTest::addColumn<QString>("shown");  // the text as shown, struck parts in [S:…]
    QTest::addColumn<QString>("link");   // a link's target where there is one
    QTest::newRow("ranges") << "takes 3~5 days, or 7~9 days"
                            << "takes 3~5 days, or 7~9 days"
                            << "";
    QTest::newRow("subscripts") << "H~2~O and CO~2~"
                                << "H~2~O and CO~2~"
                                << "";
    QTest::newRow("about") << "about ~5 min, up to 7~ min."
                           << "about ~5 min, up to 7~ min."
                           << "";
    QTest::newRow("two tildes strike") << "a ~~gone~~ b"
                                       << "a [S:gone] b"
                                       << "";
    QTest::newRow("three and one") << "x ~~~ y ~z~"
                                   << "x ~~~ y ~z~"
                                   << "";
    QTest::newRow("url") << "see https://x.org/~u/a~b and 1~2 or 3~4"
                         << "see https://x.org/~u/a~b and 1~2 or 3~4"
                         << "https://x.org/~u/a~b";
    QTest::newRow("www") << "www.x.org/a~b 1~2 3~4"
                         << "www.x.org/a~b 1~2 3~4"
                         << "http://www.x.org/a~b";
    QTest::newRow("code span") << "`a~b~c` d"
                               << "a~b~c d"
                               << "";
    QTest::newRow("escaped already") << "a\\~b\\~c"
                                     << "a~b~c"
                                     << "";
    QTest::newRow("indented code") << "text\n\n    x = 3~5; y = 7~9\n\nend"
                                   << "text|x = 3~5; y = 7~9|end"
                                   << "";
  }
  void a_single_tilde_strikes_nothing_through() {
    QFETCH(QString, markdown);
    QFETCH(QString, shown);
    QFETCH(QString, link);
    QTextDocument doc;
    doc.setMarkdown(MessageFormatter::neutralizeMarkdown(markdown), QTextDocument::MarkdownDialectGitHub);
    QString text, href;
    for (QTextBlock b = doc.begin(); b.isValid(); b = b.next()) {
      if (!text.isEmpty()) text += QLatin1Char('|');
      for (auto it = b.begin(); !it.atEnd(); ++it) {
        const QTextFragment f = it.fragment();
        text += f.charFormat().fontStrikeOut() ? QStringLiteral("[S:%1]").arg(f.text()) : f.text();
        if (f.charFormat().isAnchor()) href = f.charFormat().anchorHref();
      }
    }
    QCOMPARE(text, shown);
    QCOMPARE(href, link);
  }

  // A fence indented in a list item ("1. Install:" then "   ```sh"), as models write steps: its
  // lines lose the fence's indentation (CommonMark), so the block shows and copies as written; a
  // line indented less loses what it has, a deeper one keeps the rest.
  void an_indented_fence_takes_its_indentation_off_its_lines() {
    const QVariantList s = MessageFormatter().segments(
        QStringLiteral("1. Install:\n   ```sh\n   pip install x\n     --user\n  y\n   ```\n2. Run it.\n"));
    QCOMPARE(s.size(), 3);
    QCOMPARE(s[1].toMap().value(QStringLiteral("code")).toString(),
             QStringLiteral("pip install x\n  --user\ny"));
    QCOMPARE(s[1].toMap().value(QStringLiteral("language")).toString(), QStringLiteral("sh"));
    QCOMPARE(s[2].toMap().value(QStringLiteral("markdown")).toString().trimmed(),
             QStringLiteral("2. Run it."));
    // Deeper in a list item (4+ spaces: "- Create it:" then "    ```bash"): a fence all the same;
    // Qt read it as the item's text, every code line a bullet of its own.
    const QVariantList deep = MessageFormatter().segments(
        QStringLiteral("- Create it:\n    ```bash\n    python3 -m venv .venv\n      x\n    ```\n- Then:\n"));
    QCOMPARE(deep.size(), 3);
    QCOMPARE(deep[1].toMap().value(QStringLiteral("code")).toString(),
             QStringLiteral("python3 -m venv .venv\n  x"));
    const QVariantList nested = MessageFormatter().segments(
        QStringLiteral("1. Step:\n\n   - sub:\n\n       ```py\n       y = 1\n       ```\n"));
    QCOMPARE(nested.size(), 2);
    QCOMPARE(nested[1].toMap().value(QStringLiteral("code")).toString(), QStringLiteral("y = 1"));
    // At the top level, 4 spaces make an indented code block, whose text shows the fence.
    const QVariantList top =
        MessageFormatter().segments(QStringLiteral("Text:\n\n    ```\n    a\n    ```\n"));
    QCOMPARE(top.size(), 2);
    QCOMPARE(top[1].toMap().value(QStringLiteral("kind")).toString(), QStringLiteral("code"));
    QCOMPARE(top[1].toMap().value(QStringLiteral("code")).toString(), QStringLiteral("```\na\n```"));
    // Unindented: every line as it is.
    const QVariantList flat = MessageFormatter().segments(QStringLiteral("```\n  a\n    b\n```"));
    QCOMPARE(flat[0].toMap().value(QStringLiteral("code")).toString(), QStringLiteral("  a\n    b"));
  }

  // An indented code block (4 spaces after a blank line, not in a list item) is a code segment, as
  // md4c reads it: its "<" showed as "\\<" (the escape that keeps prose from forming HTML shows in
  // code). Its lines lose 4 spaces; blank lines inside it stay, the ones after it do not.
  void an_indented_code_block_is_code_data() {
    QTest::addColumn<QString>("text");
    QTest::addColumn<QStringList>("kinds");
    QTest::addColumn<QString>("code");  // the code segment's code
    QTest::newRow("block") << "Compare:\n\n    if (a < b && c ~ d)\n        x();\n\n    y();\n\nDone."
                           << QStringList{"text", "code", "text"} << "if (a < b && c ~ d)\n    x();\n\ny();";
    QTest::newRow("first line") << "    a < b\nthen" << QStringList{"code", "text"} << "a < b";
    QTest::newRow("crlf") << "p\r\n\r\n    a < b\r\n" << QStringList{"text", "code"} << "a < b\r";
    QTest::newRow("after a fence") << "```\nx\n```\n    a < b" << QStringList{"code", "code"} << "a < b";
    // Not code: a paragraph's lazy continuation, a list item's text, a line after a no-break space
    // (text to md4c, not a blank line).
    QTest::newRow("continuation") << "para\n    a < b" << QStringList{"text"} << "";
    QTest::newRow("list item") << "1. step\n\n    more < text" << QStringList{"text"} << "";
    QTest::newRow("nbsp") << "p\n\u00a0\n    a < b" << QStringList{"text"} << "";
  }
  void an_indented_code_block_is_code() {
    QFETCH(QString, text);
    QFETCH(QStringList, kinds);
    QFETCH(QString, code);
    const QVariantList s = MessageFormatter().segments(text);
    QStringList got;
    QString last_code;
    for (const QVariant& v : s) {
      got << v.toMap().value(QStringLiteral("kind")).toString();
      if (got.back() == QLatin1String("code")) last_code = v.toMap().value(QStringLiteral("code")).toString();
    }
    QCOMPARE(got, kinds);
    QCOMPARE(last_code, code);
    // A user's message is shown as typed: never split there.
    for (const QVariant& v : MessageFormatter().segments(text, true))
      if (!text.contains(QLatin1String("```")))
        QCOMPARE(v.toMap().value(QStringLiteral("kind")).toString(), QStringLiteral("plain"));
  }

  // Each ordered list's first number, as md4c reads it: only a list that starts at 1 may interrupt
  // a paragraph, nested lists count, bullets do not.
  void ordered_list_starts() {
    using L = QList<int>;
    QCOMPARE(MessageFormatter::orderedListStarts(QStringLiteral("2. a\n3. b\n")), L({2}));
    QCOMPARE(MessageFormatter::orderedListStarts(QStringLiteral("text\n2. not a list\n")), L());
    QCOMPARE(MessageFormatter::orderedListStarts(QStringLiteral("text\n1. a list\n")), L({1}));
    QCOMPARE(MessageFormatter::orderedListStarts(QStringLiteral("1. a\n\n   3. b\n- c\n\n9) d")),
             L({1, 3, 9}));
    QCOMPARE(MessageFormatter::orderedListStarts(QStringLiteral("1. a\n   3. b\n")), L({1}));  // a's text
    QCOMPARE(MessageFormatter::orderedListStarts(QStringLiteral("- a\n- b\n")), L());
    QCOMPARE(MessageFormatter::orderedListStarts(QStringLiteral("1234567890. too long\n")), L());
    QCOMPARE(MessageFormatter::orderedListStarts(QString()), L());
  }

  // A model's steps with a code block after each: the prose after a block carries where its list
  // starts, so the view numbers "2." as 2 (Qt 6.4 would say 1).
  void steps_between_code_blocks_keep_their_numbers() {
    const QVariantList s = MessageFormatter().segments(
        QStringLiteral("1. Install:\n   ```sh\n   pip install x\n   ```\n2. Run:\n   ```sh\n   x\n   ```\n"
                       "3. Done.\n"));
    QCOMPARE(s.size(), 5);
    QVERIFY(!s[0].toMap().contains(QStringLiteral("listStarts")));  // starts at 1: nothing to say
    QCOMPARE(s[2].toMap().value(QStringLiteral("listStarts")).toList(), QVariantList({2}));
    QCOMPARE(s[4].toMap().value(QStringLiteral("listStarts")).toList(), QVariantList({3}));
    QCOMPARE(s[3].toMap().value(QStringLiteral("code")).toString(), QStringLiteral("x"));
  }

  // A user's message: prose as typed (no Markdown read, nothing escaped), its fenced blocks code.
  void a_users_message_is_plain_prose_around_code_blocks() {
    MessageFormatter f;
    const QVariantList s = f.segments(
        QStringLiteral("fib_2.py\n\n````py\nx = 1\n```\nnot the end\n````\n\n**why** <b>?\n"), true);
    QCOMPARE(s.size(), 3);
    QCOMPARE(s[0].toMap().value(QStringLiteral("kind")).toString(), QStringLiteral("plain"));
    QCOMPARE(s[0].toMap().value(QStringLiteral("markdown")).toString(), QStringLiteral("fib_2.py"));
    QCOMPARE(s[1].toMap().value(QStringLiteral("code")).toString(),
             QStringLiteral("x = 1\n```\nnot the end"));
    QCOMPARE(s[1].toMap().value(QStringLiteral("language")).toString(), QStringLiteral("py"));
    QCOMPARE(s[2].toMap().value(QStringLiteral("markdown")).toString(), QStringLiteral("**why** <b>?"));
    // Without a fence: the whole text, as typed.
    const QVariantList one = f.segments(QStringLiteral("  a *b*\n\n  c"), true);
    QCOMPARE(one.size(), 1);
    QCOMPARE(one[0].toMap().value(QStringLiteral("markdown")).toString(), QStringLiteral("  a *b*\n\n  c"));
  }

  // A long block of a user's message: its first 30 lines coloured, the count of the others; a
  // reply's block, or one of at most 40 lines, whole.
  void a_long_block_of_a_users_message_is_coloured_in_part() {
    auto block = [](int n, bool plain) {
      QString text = QStringLiteral("```c\n");
      for (int i = 1; i <= n; ++i) text += QStringLiteral("x%1;\n").arg(i);
      const QVariantList s = MessageFormatter().segments(text + QStringLiteral("```"), plain);
      return s.size() == 1 ? s[0].toMap() : QVariantMap();
    };
    const QVariantMap cut = block(41, true);
    QCOMPARE(cut.value(QStringLiteral("lines")).toInt(), 41);
    QCOMPARE(cut.value(QStringLiteral("hiddenLines")).toInt(), 11);
    const QString shown = cut.value(QStringLiteral("shown")).toString();
    QVERIFY(shown.startsWith(QStringLiteral("x1;\n")));
    QVERIFY2(shown.endsWith(QStringLiteral("\nx30;")), qPrintable(shown));
    QVERIFY(cut.value(QStringLiteral("code")).toString().endsWith(QStringLiteral("x41;")));
    QCOMPARE(cut.value(QStringLiteral("code")).toString(),
             block(41, false).value(QStringLiteral("code")).toString());
    for (const auto& [n, plain] : {std::pair{40, true}, std::pair{100, false}}) {
      const QVariantMap whole = block(n, plain);
      QCOMPARE(whole.value(QStringLiteral("hiddenLines")).toInt(), 0);
      QCOMPARE(whole.value(QStringLiteral("shown")).toString(),
               whole.value(QStringLiteral("code")).toString());
      QVERIFY(whole.value(QStringLiteral("shown")).toString().endsWith(QStringLiteral("x%1;").arg(n)));
    }
  }

  void a_new_chats_title_leaves_code_out() {
    QCOMPARE(MessageFormatter::titleText(
                 QStringLiteral("fib.py\n\n```py\ndef fib(n):\n```\n\nWhat does it print?")),
             QStringLiteral("fib.py What does it print?"));
    QCOMPARE(MessageFormatter::titleText(QStringLiteral("Why does `x++` fail?")),
             QStringLiteral("Why does x++ fail?"));
    QCOMPARE(MessageFormatter::titleText(QStringLiteral("```\n\n  int main() {}\n```")),
             QStringLiteral("int main() {}"));
    QCOMPARE(MessageFormatter::titleText(QStringLiteral("  plain\n text  ")), QStringLiteral("plain text"));
  }
};

QTEST_GUILESS_MAIN(AppModelsTest)
#include "test_app_models.moc"
