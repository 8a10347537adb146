// The ChatController the QML engine gets: the app's database and the real engine. Kept apart
// from the rest of the controller so tests, which build controllers with a fake engine, do not
// link the model code.
#include <QCoreApplication>
#include <QQmlEngine>
#include <QStandardPaths>

#include "app/chat_controller.h"
#include "app/falcon_chat_engine.h"
#include "core/store/conversation_store.h"

ChatController* ChatController::create(QQmlEngine*, QJSEngine*) {
  Options o;
  o.db_path = defaultDatabasePath();
  o.engine = [] { return falcon::make_falcon_chat_engine(); };
  o.restore_last_session = true;
  try {
    return new ChatController(o);
  } catch (const std::exception& e) {
    // A database that cannot be opened must not cost the user the app: it is moved aside
    // (kept for recovery, never deleted) and a fresh one is started.
    qWarning("falcon-chat: %s", e.what());
    try {
      const std::string moved = falcon::recover_by_moving_aside(o.db_path.toStdString());
      qWarning("falcon-chat: the old database was moved to %s", moved.c_str());
      return new ChatController(o);
    } catch (const std::exception& e2) {
      qWarning("falcon-chat: %s; using a temporary database", e2.what());
      o.db_path = QStandardPaths::writableLocation(QStandardPaths::TempLocation) +
                  QStringLiteral("/falcon-chat-%1.db").arg(QCoreApplication::applicationPid());
      return new ChatController(o);
    }
  }
}
