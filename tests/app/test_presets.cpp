// Presets of system prompt + sampling (app/presets.h) through ChatController as QML uses them:
// built-ins, a new chat starting from the default preset, applying a preset to an open chat
// (store included), creating/overwriting/deleting the user's presets and their persistence.
#include <QCoreApplication>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include "app/chat_controller.h"
#include "app/fake_engine.h"
#include "app/presets.h"
#include "app/settings_file.h"
#include "core/store/conversation_store.h"

using namespace falcon;

class PresetsTest : public QObject {
  Q_OBJECT

  QTemporaryDir dir_;
  int db_counter_ = 0;

  std::unique_ptr<ChatController> make() {
    ChatController::Options o;
    o.db_path = dir_.filePath(QStringLiteral("p%1.db").arg(++db_counter_));
    o.engine = [] { return std::unique_ptr<ChatEngine>(new FakeEngine(FakeEngineOptions{})); };
    return std::make_unique<ChatController>(o);
  }

  static void sendAndWait(ChatController& c, const QString& text) {
    if (c.modelState() != QLatin1String("ready")) {
      c.loadModel(QUrl::fromLocalFile(QStringLiteral("/fake")), QStringLiteral("cpu"),
                  QStringLiteral("bf16"));
      QTRY_COMPARE_WITH_TIMEOUT(c.modelState(), QStringLiteral("ready"), 5000);
    }
    QSignalSpy finished(&c, &ChatController::replyFinished);
    QVERIFY(c.send(text));
    QVERIFY(finished.wait(10000));
  }

 private slots:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    // Its own settings file, so that tests running at the same time never see these presets.
    QCoreApplication::setOrganizationName(QStringLiteral("falcon-chat-tests"));
    QCoreApplication::setApplicationName(QStringLiteral("presets"));
  }
  void init() {
    SettingsFile::instance().flush();
    QSettings().clear();
    SettingsFile::instance().reload();
  }

  void built_ins_are_valid_and_ordered_by_temperature() {
    PresetModel m;
    QCOMPARE(m.names(),
             (QStringList{QStringLiteral("Default"), QStringLiteral("Precise"), QStringLiteral("Creative")}));
    for (const QString& name : m.names()) {
      const Preset* p = m.find(name);
      QVERIFY(p->built_in);
      QVERIFY(!p->system_prompt.isEmpty());
      const SamplingSettings s = SamplingConfig::parse(p->sampling_json);
      QVERIFY2(s.validate().empty(), qPrintable(name));
      // What is stored is exactly what the settings stand for (nothing dropped as out of range).
      QCOMPARE(p->sampling_json, SamplingConfig::jsonOf(PresetModel::builtInSettings(name)));
      QCOMPARE(m.data(m.index(m.indexOf(name)), PresetModel::BuiltInRole).toBool(), true);
    }
    QCOMPARE(m.find(QStringLiteral("Default"))->sampling_json, SamplingConfig::jsonOf(SamplingSettings{}));
    const float precise = PresetModel::builtInSettings(QStringLiteral("Precise")).temperature;
    const float creative = PresetModel::builtInSettings(QStringLiteral("Creative")).temperature;
    QVERIFY(precise < SamplingSettings{}.temperature && SamplingSettings{}.temperature < creative);
    QVERIFY(!m.remove(QStringLiteral("Default")));
  }

  void a_new_chat_starts_from_the_default_preset() {
    auto c = make();
    const Preset* def = c->presets()->find(QStringLiteral("Default"));
    QCOMPARE(c->defaultPreset(), QStringLiteral("Default"));
    QCOMPARE(c->currentPreset(), QStringLiteral("Default"));
    QCOMPARE(c->systemPrompt(), def->system_prompt);

    QSignalSpy def_changed(c.get(), &ChatController::defaultPresetChanged);
    c->setDefaultPreset(QStringLiteral("Precise"));
    QCOMPARE(def_changed.count(), 1);
    // The empty chat on screen follows at once; a chat with messages would keep its own values.
    QCOMPARE(c->currentPreset(), QStringLiteral("Precise"));
    QCOMPARE(float(c->sampling()->temperature()), 0.2f);
    sendAndWait(*c, QStringLiteral("hello"));
    ConversationStore store(c->databasePath().toStdString());
    const Conversation conv = store.conversation(c->currentConversationId());
    QCOMPARE(QString::fromStdString(conv.system_prompt),
             c->presets()->find(QStringLiteral("Precise"))->system_prompt);
    QCOMPARE(QString::fromStdString(conv.sampling_json),
             c->presets()->find(QStringLiteral("Precise"))->sampling_json);

    c->setDefaultPreset(QStringLiteral("no such preset"));  // ignored
    QCOMPARE(c->defaultPreset(), QStringLiteral("Precise"));
    c.reset();
    auto again = make();  // the choice survives a restart
    QCOMPARE(again->defaultPreset(), QStringLiteral("Precise"));
    QCOMPARE(again->currentPreset(), QStringLiteral("Precise"));
  }

  void applying_a_preset_changes_the_open_chat_and_its_stored_settings() {
    auto c = make();
    sendAndWait(*c, QStringLiteral("first"));
    const qint64 id = c->currentConversationId();
    QSignalSpy preset_changed(c.get(), &ChatController::currentPresetChanged);
    QVERIFY(c->applyPreset(QStringLiteral("Creative")));
    QVERIFY(preset_changed.count() >= 1);
    QCOMPARE(c->currentPreset(), QStringLiteral("Creative"));
    QCOMPARE(float(c->sampling()->temperature()), 1.1f);
    QCOMPARE(c->sampling()->windowSize(), 1024);
    const Preset* creative = c->presets()->find(QStringLiteral("Creative"));
    QCOMPARE(c->systemPrompt(), creative->system_prompt);
    ConversationStore store(c->databasePath().toStdString());
    const Conversation conv = store.conversation(id);
    QCOMPARE(QString::fromStdString(conv.system_prompt), creative->system_prompt);
    QCOMPARE(QString::fromStdString(conv.sampling_json), creative->sampling_json);
    QCOMPARE(conv.window_size, int64_t(1024));
    // One change and the chat no longer matches any preset.
    c->sampling()->setTopK(7);
    QCOMPARE(c->currentPreset(), QString());
    QVERIFY(!c->applyPreset(QStringLiteral("missing")));
    // Another chat keeps its own values.
    c->newConversation();
    QCOMPARE(c->currentPreset(), QStringLiteral("Default"));
    c->selectConversation(id);
    QCOMPARE(c->sampling()->topK(), 7);
  }

  void user_presets_are_created_edited_deleted_and_kept() {
    auto c = make();
    c->setSystemPrompt(QStringLiteral("You are a patient maths tutor."));
    c->sampling()->setTemperature(0.5);
    QVERIFY(c->savePreset(QStringLiteral("  Maths   tutor ")));  // spaces are tidied
    QCOMPARE(c->presets()->count(), 4);
    QCOMPARE(c->currentPreset(), QStringLiteral("Maths tutor"));
    QVERIFY(!c->presets()->isBuiltIn(QStringLiteral("Maths tutor")));

    // Edit: change a value and save under the same name (overwrites; no new row).
    c->sampling()->setTopK(11);
    QCOMPARE(c->currentPreset(), QString());
    QVERIFY(c->savePreset(QStringLiteral("Maths tutor")));
    QCOMPARE(c->presets()->count(), 4);
    QCOMPARE(c->currentPreset(), QStringLiteral("Maths tutor"));
    {
      PresetModel reread;  // persisted in the settings file
      const Preset* p = reread.find(QStringLiteral("Maths tutor"));
      QVERIFY(p);
      QCOMPARE(p->system_prompt, QStringLiteral("You are a patient maths tutor."));
      QCOMPARE(SamplingConfig::parse(p->sampling_json).top_k, 11);
      QCOMPARE(float(SamplingConfig::parse(p->sampling_json).temperature), 0.5f);
    }
    // Apply it to a fresh chat, make it the default, then delete it: the default falls back.
    c->newConversation();
    c->applyPreset(QStringLiteral("Default"));
    QVERIFY(c->applyPreset(QStringLiteral("Maths tutor")));
    QCOMPARE(c->sampling()->topK(), 11);
    c->setDefaultPreset(QStringLiteral("Maths tutor"));
    QVERIFY(c->deletePreset(QStringLiteral("Maths tutor")));
    QCOMPARE(c->presets()->count(), 3);
    QCOMPARE(c->defaultPreset(), QStringLiteral("Default"));
    QVERIFY(!c->deletePreset(QStringLiteral("Maths tutor")));
    QCOMPARE(PresetModel().count(), 3);

    // Refused with a readable reason: a built-in's name, an empty one, an over-long one.
    QSignalSpy error(c.get(), &ChatController::errorOccurred);
    QVERIFY(!c->savePreset(QStringLiteral("Default")));
    QVERIFY(!c->savePreset(QStringLiteral("   ")));
    QVERIFY(!c->savePreset(QString(PresetModel::kMaxNameLength + 1, QLatin1Char('x'))));
    QCOMPARE(error.count(), 3);
    QVERIFY(!c->deletePreset(QStringLiteral("Precise")));
  }

  void damaged_entries_in_the_settings_file_are_skipped_or_repaired() {
    {
      QSettings s;
      s.beginWriteArray(QStringLiteral("presets"));
      s.setArrayIndex(0);
      s.setValue(QStringLiteral("name"), QString());  // no name: skipped
      s.setArrayIndex(1);
      s.setValue(QStringLiteral("name"), QStringLiteral("Odd"));
      s.setValue(QStringLiteral("sampling"), QStringLiteral("{\"temperature\": 99, \"top_k\": 5"));  // broken
      s.setValue(QStringLiteral("window"), -3);
      s.setArrayIndex(2);
      s.setValue(QStringLiteral("name"), QStringLiteral("Precise"));  // a built-in's name: skipped
      s.endArray();
    }
    SettingsFile::instance().reload();  // the file was written behind the app's back
    PresetModel m;
    QCOMPARE(m.count(), 4);
    const Preset* odd = m.find(QStringLiteral("Odd"));
    QVERIFY(odd);
    QCOMPARE(odd->sampling_json, SamplingConfig::jsonOf(SamplingSettings{}));
    QCOMPARE(odd->window_size, SamplingConfig::kDefaultWindow);
    QVERIFY(m.find(QStringLiteral("Precise"))->built_in);
  }
};

QTEST_MAIN(PresetsTest)
#include "test_presets.moc"
