#pragma once
// The store's schema as ordered migration steps. Step k turns a version k-1 database into a
// version k one (0 = empty file). A step is never edited once released: a change is a new
// step, and tests open databases of every older version (tests/fixtures/store/).
#include <sqlite3.h>

#include <cstdint>
#include <span>

namespace falcon::store_schema {

constexpr int kLatestVersion = 6;
// PRAGMA application_id of our files ("FLCN"), so a foreign SQLite file is never migrated.
constexpr int32_t kApplicationId = 0x464C434E;

struct Migration {
  int to_version;
  const char* why;  // one line, shown in errors
  const char* sql;  // statements run in one transaction together with the version bump
};

std::span<const Migration> migrations();

// Applies the steps from `from` up to `to` (each in its own transaction, user_version set in
// the same transaction, so a crash leaves a database at a whole version).
void migrate(sqlite3* db, int from, int to);

}  // namespace falcon::store_schema
