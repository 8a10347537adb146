// Export and import: JSON round trip (export -> import into a fresh database -> export gives
// the same bytes), import into a non-empty database remaps ids, every kind of invalid input
// is rejected with a clear message and nothing half-imported, and the Markdown export.
#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "core/store/conversation_store.h"
#include "core/store/store_import.h"
#include "core/store/store_import_foreign.h"
#include "test_store_util.h"

using namespace falcon;
using falcon::test::error_code_of;

namespace {

// A store with every feature the export must carry: branches, both roots and siblings,
// streaming/finished/errored replies, odd numbers and text, flags, window state.
void fill(ConversationStore& s) {
  int64_t a = s.create_conversation({.title = "Ünïcode ✓ \"quoted\"\ttab",
                                     .system_prompt = "Be terse.\nLine two.",
                                     .model_path = "/models/falcon-7b-instruct",
                                     .model_fingerprint = "sha256:abc123",
                                     .weights_format = "int4",
                                     .sampling_json = R"({"temperature":0.1,"top_p":0.95,"seed":42})",
                                     .window_size = 2048});
  int64_t u1 = s.append_message(a, std::nullopt, Role::User, "Hello 👋 <b>not html</b> \\ backslash", 9);
  int64_t r1 = s.begin_assistant_reply(a, u1);
  GenerationStats st;
  st.ttft_ms = 0.1;
  st.tokens_per_s = 123456.789;
  st.stop_reason = StopReason::StopString;
  st.answered_tokens = 900;  // the message was longer than the window: 388 of its tokens cut
  st.answered_cut = 388;
  st.model = "falcon-7b-instruct \xC2\xB7 int4";
  s.finish_reply(r1, "Hi!\n\n```cpp\nint x = 1;\n```", 12, st);
  int64_t r2 = s.begin_assistant_reply(a, u1);  // regenerate
  GenerationStats err;
  err.ttft_ms = 1e-7;
  err.stop_reason = StopReason::Error;
  err.error_text = "out of memory";
  s.finish_reply(r2, "", 0, err);
  int64_t u1b = s.append_message(a, std::nullopt, Role::User, "edited first message", 3);  // second root
  int64_t r3 = s.begin_assistant_reply(a, u1b);
  s.update_partial(r3, "still stream", 2);  // exported as interrupted
  s.switch_branch(r1);
  s.save_window_state(a, {{11, 0, 2147483647, 65024}, 17, 2, {2, 3}, 1, "sha256:abc123"});
  s.set_pinned(a, true);

  int64_t b = s.create_conversation({.title = "archived empty"});
  s.set_archived(b, true);
  int64_t c = s.create_conversation({.title = "", .sampling_json = "not even json, opaque"});
  int64_t sys = s.append_message(c, std::nullopt, Role::System, "system turn");
  s.append_message(c, sys, Role::User, std::string(5000, 'z'));
}

}  // namespace

class TestStoreExport : public QObject {
  Q_OBJECT
  QTemporaryDir dir_;

 private slots:
  // Not a test: writes the fuzz seed (a real export) when FALCON_MAKE_FUZZ_SEED names a folder
  // (tools/make_store_fixtures.sh).
  void writeFuzzSeed() {
    const char* out = std::getenv("FALCON_MAKE_FUZZ_SEED");
    if (!out) QSKIP("set FALCON_MAKE_FUZZ_SEED=DIR to write the seed");
    ConversationStore src(":memory:", test::ticking_options());
    fill(src);
    QFile f(QString(out) + "/export_three_conversations.json");
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    f.write(QByteArray::fromStdString(src.export_json()));
  }

  void roundTripIsExact() {
    ConversationStore src(":memory:", test::ticking_options());
    fill(src);
    std::string first = src.export_json();

    ConversationStore dst(":memory:");
    std::vector<int64_t> ids = dst.import_json(first);
    QCOMPARE(ids.size(), size_t(3));
    std::string second = dst.export_json();
    QCOMPARE(second, first);

    // The exported fields really carry the data (not just an empty round trip).
    auto j = nlohmann::json::parse(first);
    QCOMPARE(j["conversations"].size(), size_t(3));
    const auto& a = j["conversations"][0];
    QCOMPARE(a["messages"].size(), size_t(5));
    QCOMPARE(a["messages"][1]["stop_reason"].get<std::string>(), std::string("stop_string"));
    QCOMPARE(a["messages"][1]["tokens_per_s"].get<double>(), 123456.789);
    QCOMPARE(a["messages"][2]["ttft_ms"].get<double>(), 1e-7);
    QCOMPARE(a["messages"][1]["answered_tokens"].get<int64_t>(), int64_t(900));
    QCOMPARE(a["messages"][1]["answered_cut"].get<int64_t>(), int64_t(388));
    QVERIFY(a["messages"][2]["answered_cut"].is_null());  // not recorded
    QCOMPARE(a["messages"][1]["model"].get<std::string>(), std::string("falcon-7b-instruct \xC2\xB7 int4"));
    QVERIFY(a["messages"][2]["model"].is_null());  // not recorded
    QCOMPARE(dst.active_path(ids[0])[1].stats.model, std::string("falcon-7b-instruct \xC2\xB7 int4"));
    QCOMPARE(a["messages"][4]["stop_reason"].get<std::string>(), std::string("interrupted"));
    QCOMPARE(a["active_leaf"].get<int>(), 1);
    QCOMPARE(a["window_state"]["tokens"][2].get<int64_t>(), int64_t(2147483647));

    // The imported tree behaves like the original.
    Conversation ca = dst.conversation(ids[0]);
    QVERIFY(ca.pinned);
    QCOMPARE(ca.window_size, int64_t(2048));
    auto path = dst.active_path(ids[0]);
    QCOMPARE(path.size(), size_t(2));
    QCOMPARE(path[1].text, std::string("Hi!\n\n```cpp\nint x = 1;\n```"));
    QCOMPARE(path[1].sibling_count, 2);
    QCOMPARE(path[1].stats.answered_tokens, std::optional<int64_t>(900));
    QCOMPARE(path[1].stats.answered_cut, std::optional<int64_t>(388));
    QCOMPARE(path[0].sibling_count, 2);  // two roots
    QCOMPARE(dst.window_state(ids[0])->pinned_count, int64_t(2));
    QCOMPARE(dst.window_state(ids[0])->turn_starts, (std::vector<int32_t>{2, 3}));
    QCOMPARE(dst.window_state(ids[0])->sinks_taken, int64_t(1));
    QVERIFY(dst.conversation(ids[1]).archived);
    QCOMPARE(dst.search("backslash").size(), size_t(1));  // imported text is indexed
    QCOMPARE(dst.integrity_check(), std::string("ok"));
  }

  void importIntoNonEmptyStoreRemapsIds() {
    ConversationStore src(":memory:");
    fill(src);
    ConversationStore dst(":memory:");
    dst.import_json(src.export_json());  // ids 1..3 taken, messages too
    auto ids = dst.import_json(src.export_json(1));
    QCOMPARE(ids.size(), size_t(1));
    QVERIFY(ids[0] != 1);
    QCOMPARE(dst.export_json(ids[0]), src.export_json(1));
    QCOMPARE(dst.count_conversations(ArchiveFilter::All), int64_t(4));
  }

  void importReportsProgressAndCanBeCancelled() {
    ConversationStore src(":memory:");
    fill(src);
    const std::string json = src.export_json();
    const QString path = QDir(dir_.path()).filePath(QStringLiteral("progress.db"));
    ConversationStore dst(path.toStdString());
    dst.create_conversation({.title = "already here"});

    // Every conversation is reported once, in order, after a first call with 0.
    std::vector<std::pair<size_t, size_t>> calls;
    auto ids = dst.import_json(json, [&](size_t done, size_t total) {
      calls.emplace_back(done, total);
      return true;
    });
    QCOMPARE(ids.size(), size_t(3));
    const std::vector<std::pair<size_t, size_t>> expected = {{0, 3}, {1, 3}, {2, 3}, {3, 3}};
    QCOMPARE(calls, expected);

    // Cancelled after the second conversation was written: nothing of this import stays, in this
    // connection or another one reading the file.
    std::string msg;
    size_t seen = 0;
    QCOMPARE(error_code_of(
                 [&] {
                   dst.import_json(json, [&](size_t done, size_t) {
                     seen = done;
                     return done < 2;
                   });
                 },
                 &msg),
             StoreErrorCode::Cancelled);
    QCOMPARE(seen, size_t(2));
    QVERIFY2(msg.find("cancelled") != std::string::npos, msg.c_str());
    QCOMPARE(dst.count_conversations(ArchiveFilter::All), int64_t(4));
    test::RawDb raw(path.toStdString());
    QCOMPARE(raw.integer("SELECT count(*) FROM conversations"), int64_t(4));
    QCOMPARE(raw.integer("SELECT count(*) FROM messages"), int64_t(7));  // the first import's
    // Cancelled before anything was written (the call with 0), and a bad file is never reported.
    QCOMPARE(error_code_of([&] { dst.import_json(json, [](size_t, size_t) { return false; }); }),
             StoreErrorCode::Cancelled);
    bool called = false;
    QCOMPARE(error_code_of([&] { dst.import_json("{}", [&](size_t, size_t) { return called = true; }); }),
             StoreErrorCode::InvalidImport);
    QVERIFY(!called);
    QCOMPARE(dst.count_conversations(ArchiveFilter::All), int64_t(4));
    QCOMPARE(dst.integrity_check(), std::string("ok"));
  }

  // ChatGPT's conversations.json (a hand-written file of the documented shape: the hidden system
  // root, custom instructions, a regenerated answer, an edited question with an image, reasoning and
  // a code-tool round trip, an archived chat without a title, one with nothing shown): the turns the
  // user saw, branches kept, the branch shown last active.
  void chatgptExportImports() {
    QFile f(QStringLiteral(FALCON_FIXTURES_DIR "/store/chatgpt_conversations.json"));
    QVERIFY(f.open(QIODevice::ReadOnly));
    const std::string json = f.readAll().toStdString();
    ConversationStore dst(":memory:");
    const std::vector<int64_t> ids = dst.import_json(json);
    QCOMPARE(ids.size(), size_t(3));

    const Conversation a = dst.conversation(ids[0]);
    QCOMPARE(a.title, std::string("Peregrine speed"));
    QCOMPARE(a.created_ms, int64_t(1700000000250));
    QCOMPARE(a.updated_ms, int64_t(1700000600500));
    QVERIFY(!a.archived);
    const auto path = dst.active_path(ids[0]);  // current_node: the edited question's branch
    QCOMPARE(path.size(), size_t(3));
    QCOMPARE(path[0].role, Role::User);
    QCOMPARE(path[0].text, std::string("[image]\n\nWhat bird is this, and how fast can it fly?"));
    QCOMPARE(path[0].sibling_count, 2);  // the first question and its edit
    QCOMPARE(path[0].sibling_index, 1);
    QCOMPARE(path[1].role, Role::Assistant);  // reasoning, the tool call and its output left out
    QCOMPARE(path[1].text,
             std::string(
                 "A peregrine falcon: up to 389 km/h, about 108 m/s.\n\n```python\nprint(389 / 3.6)\n```"));
    QCOMPARE(path[1].parent_id, std::optional<int64_t>(path[0].id));
    QCOMPARE(path[1].created_ms, int64_t(1700000104000));
    QCOMPARE(path[2].text, std::string("Thanks! \xF0\x9F\xA6\x85"));
    QCOMPARE(path[2].created_ms, a.created_ms);  // no time of its own
    // The other branch: the first question with its answer and the regenerated one.
    const int64_t first_leaf = dst.switch_branch(dst.siblings(path[0].id)[0].id);
    const auto other = dst.active_path(ids[0]);
    QCOMPARE(other.size(), size_t(2));
    QCOMPARE(other[0].text, std::string("How fast is a peregrine falcon?"));
    QCOMPARE(other[1].id, first_leaf);
    QCOMPARE(other[1].sibling_count, 2);
    std::vector<std::string> answers;
    for (const Message& m : dst.siblings(other[1].id)) answers.push_back(m.text);
    QCOMPARE(answers,
             (std::vector<std::string>{"Over 300 km/h in a dive.", "About 390 km/h at its fastest."}));
    // Each reply names the model that wrote it (model_slug); a question names none.
    std::vector<std::string> models;
    for (const Message& m : dst.siblings(other[1].id)) models.push_back(m.stats.model);
    QCOMPARE(models, (std::vector<std::string>{"gpt-4o", "gpt-4o-mini"}));
    QCOMPARE(path[1].stats.model, std::string("gpt-4o"));
    QCOMPARE(path[0].stats.model, std::string());
    QCOMPARE(dst.search("Lisbon").size(), size_t(0));  // custom instructions are not a turn
    QCOMPARE(dst.search("108055").size(), size_t(0));  // nor the tool's output

    const Conversation b = dst.conversation(ids[1]);
    QVERIFY(b.archived);
    // No title: the first question's first line, cut to 59 bytes and an ellipsis.
    QCOMPARE(b.title,
             std::string("An old archived question that has a rather long first line,").substr(0, 59) +
                 "\xE2\x80\xA6");
    QCOMPARE(b.created_ms, int64_t(1600000000000));
    QCOMPARE(dst.active_path(ids[1]).size(), size_t(2));
    QCOMPARE(dst.active_path(ids[2]).size(), size_t(0));  // only a hidden system message
    QCOMPARE(dst.conversation(ids[2]).title, std::string("Nothing shown"));

    // What came in exports and imports as our own format, exactly.
    ConversationStore again(":memory:");
    again.import_json(dst.export_json());
    QCOMPARE(again.export_json(), dst.export_json());
    QCOMPARE(dst.integrity_check(), std::string("ok"));
  }

  // What the import parses of another app's file: inside the message trees only what the importers
  // read (ChatGPT's citations and Open WebUI's flat copy of the messages are left out); all of our
  // own format.
  void importParsesOnlyWhatItReads() {
    QFile f(QStringLiteral(FALCON_FIXTURES_DIR "/store/chatgpt_conversations.json"));
    QVERIFY(f.open(QIODevice::ReadOnly));
    const nlohmann::json gpt = parse_for_import(f.readAll().toStdString());
    const nlohmann::json& a1 = gpt[0]["mapping"]["a1"];
    QVERIFY(a1.contains("children") && !a1.contains("id") && !a1.contains("parent"));
    QCOMPARE(a1["message"]["content"]["parts"][0].get<std::string>(),
             std::string("Over 300 km/h in a dive."));
    // Of the metadata only the model is kept: finish_details, citations, content_references gone.
    QCOMPARE(a1["message"]["metadata"].size(), size_t(1));
    QCOMPARE(a1["message"]["metadata"]["model_slug"].get<std::string>(), std::string("gpt-4o"));
    QVERIFY(!a1["message"].contains("status") && !a1["message"].contains("weight"));
    QVERIFY(gpt[0]["mapping"]["ci"]["message"]["metadata"]["is_user_system_message"].get<bool>());
    QCOMPARE(gpt[0]["mapping"]["u1b"]["message"]["content"]["parts"][0].size(), size_t(1));  // content_type
    QCOMPARE(gpt[0]["conversation_id"].get<std::string>(),
             std::string("11111111-2222-3333-4444-555555555555"));

    QFile w(QStringLiteral(FALCON_FIXTURES_DIR "/store/openwebui_chats.json"));
    QVERIFY(w.open(QIODevice::ReadOnly));
    const nlohmann::json webui = parse_for_import(w.readAll().toStdString());
    QVERIFY(!webui[0]["chat"].contains("messages"));
    QVERIFY(webui[0]["chat"]["history"]["messages"]["m2"].contains("content"));
    QVERIFY(!webui[0]["chat"]["history"]["messages"]["m2"].contains("info"));
    QVERIFY(webui[1].contains("history"));

    ConversationStore src(":memory:");
    fill(src);
    const std::string ours = src.export_json();
    QCOMPARE(parse_for_import(ours), nlohmann::json::parse(ours));
  }

  // Open WebUI's "Export chats" file (hand-written after its shape: a system message, a regenerated
  // answer from a reasoning model with its <details> blocks, an older export's bare chat object).
  void openWebUiExportImports() {
    QFile f(QStringLiteral(FALCON_FIXTURES_DIR "/store/openwebui_chats.json"));
    QVERIFY(f.open(QIODevice::ReadOnly));
    ConversationStore dst(":memory:");
    const std::vector<int64_t> ids = dst.import_json(f.readAll().toStdString());
    QCOMPARE(ids.size(), size_t(2));
    const Conversation a = dst.conversation(ids[0]);
    QCOMPARE(a.title, std::string("Falcon wingspan"));
    QVERIFY(a.pinned);
    QVERIFY(!a.archived);
    QCOMPARE(a.created_ms, int64_t(1720000000000));
    QCOMPARE(a.updated_ms, int64_t(1720000020000));
    const auto path = dst.active_path(ids[0]);
    QCOMPARE(path.size(), size_t(3));
    QCOMPARE(path[0].text, std::string("What is a falcon's wingspan?"));
    QCOMPARE(path[0].parent_id, std::optional<int64_t>());  // the system message is left out
    QCOMPARE(path[1].text, std::string("A peregrine's wingspan is 74 to 120 cm."));  // thinking taken off
    QCOMPARE(path[1].sibling_count, 2);
    QCOMPARE(path[1].sibling_index, 1);
    QCOMPARE(dst.siblings(path[1].id)[0].text, std::string("About a metre."));
    QCOMPARE(path[1].stats.model, std::string("qwen3:8b"));  // each reply its own model
    QCOMPARE(dst.siblings(path[1].id)[0].stats.model, std::string("llama3.1:8b"));
    QCOMPARE(path[2].text, std::string("Thanks"));
    QCOMPARE(path[2].created_ms, int64_t(1720000020000));
    const Conversation b = dst.conversation(ids[1]);
    QCOMPARE(b.title, std::string("Older export"));
    QCOMPARE(b.created_ms, int64_t(1700000000000));  // the chat's own time, in milliseconds there
    QCOMPARE(dst.active_path(ids[1]).size(), size_t(1));

    // Hand-made: parents named only by parentId; a reply that is nothing but thinking is left out.
    const auto more = dst.import_json(R"([{"title": "t", "chat": {"history": {"currentId": "b", "messages": {
        "a": {"role": "user", "content": "question", "parentId": null},
        "r": {"role": "assistant", "content": "<details type='reasoning'>\nonly\n</details>\n", "parentId": "a"},
        "b": {"role": "assistant", "content": "answer", "parentId": "a"}}}}}])");
    const auto hand = dst.active_path(more[0]);
    QCOMPARE(hand.size(), size_t(2));
    QCOMPARE(hand[1].text, std::string("answer"));
    QCOMPARE(hand[1].sibling_count, 1);
    std::string msg;
    QCOMPARE(error_code_of([&] { dst.import_json(R"([{"chat": {"history": {}}}, {"chat": {}}])"); }, &msg),
             StoreErrorCode::InvalidImport);
    QVERIFY2(msg.find("[0]: has no \"history\" of messages") != std::string::npos, msg.c_str());
  }

  // An LM Studio chat file (hand-written after the shape public converters of these files read: an
  // edited question, a regenerated reply with its thinking and a debug step, a file beside a
  // question, an older single-step reply): the turns with their versions as branches, the selected
  // ones active, the system prompt from the chat's settings.
  void lmStudioChatImports() {
    QFile f(QStringLiteral(FALCON_FIXTURES_DIR "/store/lmstudio_chat.conversation.json"));
    QVERIFY(f.open(QIODevice::ReadOnly));
    ConversationStore dst(":memory:");
    const std::vector<int64_t> ids = dst.import_json(f.readAll().toStdString());
    QCOMPARE(ids.size(), size_t(1));
    const Conversation c = dst.conversation(ids[0]);
    QCOMPARE(c.title, std::string("Falcon diet"));
    QVERIFY(c.pinned);
    QCOMPARE(c.created_ms, int64_t(1730000000000));
    QCOMPARE(c.system_prompt, std::string("You are a birder."));
    const auto path = dst.active_path(ids[0]);
    QCOMPARE(path.size(), size_t(4));
    QCOMPARE(path[0].role, Role::User);
    QCOMPARE(path[0].text, std::string("What do peregrine falcons eat?"));  // the edit, selected
    QCOMPARE(path[0].sibling_count, 2);
    QCOMPARE(path[0].sibling_index, 1);
    QCOMPARE(path[1].role, Role::Assistant);
    QCOMPARE(path[1].text, std::string("Mostly other birds, caught in flight."));  // no thinking, no debug
    QCOMPARE(path[1].stats.model, std::string("lmstudio-community/Qwen3-8B-GGUF"));
    QCOMPARE(path[1].sibling_count, 2);
    QCOMPARE(path[1].sibling_index, 0);
    const Message other = dst.siblings(path[1].id)[1];
    QCOMPARE(other.text, std::string("Birds such as pigeons."));
    QCOMPARE(other.stats.model, std::string("llama-3.2-3b-instruct"));  // from the step's genInfo
    QCOMPARE(path[2].text, std::string("And in winter?"));              // the file left out
    QCOMPARE(path[3].text, std::string("The same, wherever they winter."));
    QCOMPARE(path[3].parent_id, std::optional<int64_t>(path[2].id));
    // The first question has no reply: later turns follow the version selected.
    const int64_t leaf = dst.switch_branch(dst.siblings(path[0].id)[0].id);
    const auto first = dst.active_path(ids[0]);
    QCOMPARE(first.size(), size_t(1));
    QCOMPARE(first[0].id, leaf);
    QCOMPARE(first[0].text, std::string("What do falcons eat?"));
    QCOMPARE(dst.integrity_check(), std::string("ok"));

    // A chat with no turn yet, a selected version out of range, versions of an unknown role, and
    // two chats in one list (files put together by hand).
    const auto more = dst.import_json(R"([
        {"name": "New Chat", "createdAt": 1730000001000, "messages": []},
        {"name": "odd", "createdAt": 1730000002000, "messages": [
          {"versions": [{"role": "user", "content": "plain text"}], "currentlySelected": 7},
          {"versions": [{"role": "tool", "content": [{"type": "text", "text": "x"}]},
                        {"role": "assistant", "content": [{"type": "text", "text": "reply"}]}],
           "currentlySelected": 1}]}])");
    QCOMPARE(more.size(), size_t(2));
    QCOMPARE(dst.conversation(more[0]).title, std::string("New Chat"));
    QCOMPARE(dst.active_path(more[0]).size(), size_t(0));
    const auto odd = dst.active_path(more[1]);
    QCOMPARE(odd.size(), size_t(2));
    QCOMPARE(odd[0].text, std::string("plain text"));
    QCOMPARE(odd[1].text, std::string("reply"));
    QCOMPARE(odd[1].sibling_count, 1);  // the tool's version is left out
    std::string msg;
    QCOMPARE(
        error_code_of(
            [&] { dst.import_json(R"([{"name": "a", "createdAt": 1, "messages": []}, {"messages": 3}])"); },
            &msg),
        StoreErrorCode::InvalidImport);
    QVERIFY2(msg.find("[1]: has no list of \"messages\"") != std::string::npos, msg.c_str());
  }

  // What in a ChatGPT file cannot be read is refused whole, naming the place; cycles and dangling
  // ids are not followed.
  void chatgptExportEdgeCases() {
    auto import = [](const std::string& text, std::string* message = nullptr) {
      ConversationStore s(":memory:");
      StoreErrorCode code = error_code_of([&] { s.import_json(text); }, message);
      return std::make_pair(code, s.count_conversations(ArchiveFilter::All));
    };
    std::string msg;
    auto [code, n] = import(R"([{"mapping": {}}, {"title": "no tree"}])", &msg);
    QCOMPARE(code, StoreErrorCode::InvalidImport);
    QVERIFY2(msg.find("[1]: has no \"mapping\"") != std::string::npos, msg.c_str());
    QCOMPARE(n, int64_t(0));
    std::tie(code, n) = import(R"({"format": "x"})", &msg);
    QCOMPARE(code, StoreErrorCode::InvalidImport);
    std::tie(code, n) = import(R"([1, 2])", &msg);
    QVERIFY2(msg.find("is not an export of falcon-chat, ChatGPT") != std::string::npos, msg.c_str());

    ConversationStore s(":memory:");
    // a <-> b list each other as children (no root reaches them); c is a root whose child is gone;
    // d is listed twice; odd types are read as absent.
    const auto ids = s.import_json(R"({
      "title": 5, "create_time": "yesterday", "current_node": 7,
      "mapping": {
        "a": {"message": {"author": {"role": "user"}, "content": {"content_type": "text", "parts": ["in a cycle"]}}, "children": ["b"]},
        "b": {"message": {"author": {"role": "assistant"}, "content": {"content_type": "text", "parts": ["also"]}}, "children": ["a"]},
        "c": {"message": {"author": {"role": "user"}, "content": {"content_type": "text", "parts": ["kept", 3, {"x": 1}]}}, "children": ["gone", "d", "d"]},
        "d": {"message": {"author": "nobody", "content": {"content_type": "text", "parts": ["no role"]}}, "children": "e"},
        "e": {"message": {"author": {"role": "assistant"}, "content": {"content_type": "text", "parts": "not a list"}}}
      }})");
    QCOMPARE(ids.size(), size_t(1));
    const auto path = s.active_path(ids[0]);
    QCOMPARE(path.size(), size_t(1));
    QCOMPARE(path[0].text, std::string("kept"));
    const Conversation c = s.conversation(ids[0]);
    QCOMPARE(c.title, std::string("kept"));
    // No title, and the first question begins with an image: the words after it are the title.
    const auto pictured = s.import_json(R"([{"mapping": {"q": {"message": {"author": {"role": "user"},
        "content": {"content_type": "multimodal_text", "parts": [{"content_type": "image_asset_pointer"},
        "What bird is this?"]}}, "children": []}}}])");
    QCOMPARE(s.conversation(pictured[0]).title, std::string("What bird is this?"));
    QCOMPARE(s.active_path(pictured[0])[0].text, std::string("[image]\n\nWhat bird is this?"));
    QCOMPARE(c.created_ms, int64_t(0));
  }

  void invalidInputIsRejectedWhole() {
    ConversationStore src(":memory:");
    fill(src);
    const std::string good = src.export_json();
    auto with = [&](const std::function<void(nlohmann::json&)>& edit) {
      auto j = nlohmann::json::parse(good);
      edit(j);
      return j.dump();
    };
    struct Case {
      const char* name;
      std::string json;
      const char* expect;  // part of the message
    };
    std::vector<Case> cases = {
        {"not json", "{\"format\": ", "not valid JSON"},
        {"binary", std::string("\x00\xff\x10", 3), "not valid JSON"},
        {"zip", std::string("PK\x03\x04\x14\x00", 6) + "conversations.json", "unzip it"},
        {"wrong format", with([](auto& j) { j["format"] = "chatgpt"; }), "format"},
        {"newer", with([](auto& j) { j["version"] = kExportFormatVersion + 1; }), "newer falcon-chat"},
        {"unknown key", with([](auto& j) { j["conversations"][0]["colour"] = 1; }), "unknown key \"colour\""},
        {"forward parent", with([](auto& j) { j["conversations"][0]["messages"][1]["parent"] = 3; }),
         "conversations[0].messages[1].parent: refers to message 3"},
        {"self parent", with([](auto& j) { j["conversations"][0]["messages"][0]["parent"] = 0; }), "parent"},
        {"negative parent", with([](auto& j) { j["conversations"][0]["messages"][1]["parent"] = -1; }),
         "parent"},
        {"bad role", with([](auto& j) { j["conversations"][2]["messages"][0]["role"] = "robot"; }), "role"},
        {"text not string", with([](auto& j) { j["conversations"][0]["messages"][0]["text"] = 5; }),
         "string"},
        {"bad stop", with([](auto& j) { j["conversations"][0]["messages"][1]["stop_reason"] = "bored"; }),
         "stop_reason"},
        {"model not string", with([](auto& j) { j["conversations"][0]["messages"][1]["model"] = 7; }),
         "conversations[0].messages[1].model"},
        {"model too long", with([](auto& j) {
           j["conversations"][0]["messages"][1]["model"] = std::string(kImportMaxModelName + 1, 'm');
         }),
         "conversations[0].messages[1].model"},
        {"nan-ish ttft", with([](auto& j) { j["conversations"][0]["messages"][1]["ttft_ms"] = -3.0; }),
         "ttft_ms"},
        {"cut past the message",
         with([](auto& j) { j["conversations"][0]["messages"][1]["answered_cut"] = 901; }),
         "messages[1].answered_cut: is out of range (0..900)"},
        {"cut alone",
         with([](auto& j) { j["conversations"][0]["messages"][1]["answered_tokens"] = nullptr; }),
         "answered_tokens and answered_cut go together"},
        {"negative answered",
         with([](auto& j) { j["conversations"][0]["messages"][1]["answered_tokens"] = -1; }),
         "answered_tokens"},
        {"leaf out of range", with([](auto& j) { j["conversations"][0]["active_leaf"] = 99; }),
         "active_leaf"},
        {"window size", with([](auto& j) { j["conversations"][0]["window_size"] = 0; }), "window_size"},
        {"float count", with([](auto& j) { j["conversations"][0]["messages"][0]["token_count"] = 1.5; }),
         "integer"},
        {"token out of int32",
         with([](auto& j) { j["conversations"][0]["window_state"]["tokens"][0] = 4294967296LL; }),
         "tokens[0]"},
        {"pinned > kept", with([](auto& j) { j["conversations"][0]["window_state"]["pinned_count"] = 5; }),
         "pinned_count"},
        {"turns not ascending", with([](auto& j) {
           j["conversations"][0]["window_state"]["turn_starts"] = {3, 3};
         }),
         "turn_starts[1]"},
        {"missing messages", with([](auto& j) { j["conversations"][1].erase("messages"); }), "missing key"},
        {"flag type", with([](auto& j) { j["conversations"][1]["archived"] = "yes"; }), "true or false"},
        {"deep nesting", std::string(5000, '[') + std::string(5000, ']'), "nested too deeply"},
        {"top not object", "[1, 2, 3]", "is not an export of falcon-chat, ChatGPT"},
    };
    // The last conversation is bad while the first ones are fine: nothing may be imported.
    ConversationStore dst(":memory:");
    for (const Case& c : cases) {
      std::string msg;
      QVERIFY2(error_code_of([&] { dst.import_json(c.json); }, &msg) == StoreErrorCode::InvalidImport,
               c.name);
      QVERIFY2(msg.find(c.expect) != std::string::npos,
               qPrintable(QString("%1: %2").arg(c.name, msg.c_str())));
      QCOMPARE(dst.count_conversations(ArchiveFilter::All), int64_t(0));
    }
    // Still usable afterwards.
    QCOMPARE(dst.import_json(good).size(), size_t(3));
  }

  // A version 1 export (before answered_tokens / answered_cut) imports, recording neither.
  void versionOneFileImports() {
    ConversationStore src(":memory:");
    fill(src);
    auto j = nlohmann::json::parse(src.export_json());
    j["version"] = 1;
    for (auto& c : j["conversations"])
      for (auto& m : c["messages"]) m.erase("answered_tokens"), m.erase("answered_cut");
    ConversationStore dst(":memory:");
    const auto ids = dst.import_json(j.dump());
    QCOMPARE(ids.size(), size_t(3));
    const auto path = dst.active_path(ids[0]);
    QCOMPARE(path[1].text, std::string("Hi!\n\n```cpp\nint x = 1;\n```"));
    QVERIFY(!path[1].stats.answered_tokens && !path[1].stats.answered_cut);
  }

  void handWrittenMinimalFileImports() {
    ConversationStore dst(":memory:");
    auto ids = dst.import_json(R"({"format":"falcon-chat-conversations","version":1,"conversations":[
      {"title":"hand made","messages":[{"parent":null,"role":"user","text":"hi"},
                                       {"parent":0,"role":"assistant","text":"hello"}]}]})");
    QCOMPARE(ids.size(), size_t(1));
    auto path = dst.active_path(ids[0]);
    QCOMPARE(path.size(), size_t(2));  // the last message is the active leaf by default
    QCOMPARE(path[1].text, std::string("hello"));
    QCOMPARE(dst.conversation(ids[0]).sampling_json, std::string("{}"));
  }

  // The longest model name a reply can record (a folder's 255 bytes and the format, or several
  // models' names) survives export and import; one byte more than an import takes is refused above.
  void aLongModelNameRoundTrips() {
    ConversationStore src(":memory:");
    const int64_t c = src.create_conversation({.title = "t"});
    const int64_t u = src.append_message(c, std::nullopt, Role::User, "q");
    const int64_t r = src.begin_assistant_reply(c, u);
    GenerationStats st;
    st.stop_reason = StopReason::Eos;
    st.model = std::string(kImportMaxModelName, 'm');
    src.finish_reply(r, "a", 1, st);
    ConversationStore dst(":memory:");
    const auto ids = dst.import_json(src.export_json());
    QCOMPARE(dst.active_path(ids[0])[1].stats.model, st.model);
  }

  void markdownShowsTheActiveBranch() {
    ConversationStore src(":memory:");
    fill(src);
    std::string md = src.export_markdown(1);
    QVERIFY(md.rfind("# Ünïcode ✓ \"quoted\"\ttab\n", 0) == 0);
    QVERIFY(md.find("## System prompt\n\nBe terse.\nLine two.") != std::string::npos);
    size_t user = md.find("## User (version 1 of 2)\n\nHello 👋");
    size_t reply =
        md.find("## Assistant (falcon-7b-instruct \xC2\xB7 int4; version 1 of 2)\n\nHi!\n\n```cpp");
    QVERIFY2(user != std::string::npos && reply != std::string::npos && user < reply, md.c_str());
    QVERIFY(md.find("out of memory") == std::string::npos);  // other branch
    QVERIFY(md.find("still stream") == std::string::npos);   // other branch
    QVERIFY(md.find("/models/falcon-7b-instruct (int4)") != std::string::npos);
    std::string all = src.export_markdown();
    QVERIFY(all.find("# archived empty") != std::string::npos);
    QVERIFY(all.find("# Untitled conversation") != std::string::npos);
    QVERIFY(all.find(std::string(5000, 'z')) != std::string::npos);
    src.switch_branch(5);  // the interrupted reply
    md = src.export_markdown(1);
    QVERIFY2(md.find("still stream\n\n_(reply ended: interrupted)_") != std::string::npos, md.c_str());
  }
};

QTEST_APPLESS_MAIN(TestStoreExport)
#include "test_store_export.moc"
