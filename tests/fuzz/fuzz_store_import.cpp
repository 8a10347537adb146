// Fuzz target: ConversationStore::import_json on arbitrary bytes. Any input must either
// import completely or throw StoreError(InvalidImport) and leave the database unchanged; a
// successful import must export again and re-import to the same bytes. One in-memory store
// lives for the whole run (created on first use) and is emptied after each input, so inputs
// are independent.
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>

#include "core/store/conversation_store.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static auto store = std::make_unique<falcon::ConversationStore>(":memory:");
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::vector<int64_t> ids;
  try {
    ids = store->import_json(input);
  } catch (const falcon::StoreError& e) {
    if (e.code() != falcon::StoreErrorCode::InvalidImport) std::abort();  // only input errors are expected
    if (store->count_conversations(falcon::ArchiveFilter::All) != 0) std::abort();  // half-imported
    return 0;
  }
  // Accepted: the round trip must be exact.
  std::string first = store->export_json();
  falcon::ConversationStore again(":memory:");
  again.import_json(first);
  if (again.export_json() != first) std::abort();
  if (store->integrity_check() != "ok") std::abort();
  for (int64_t id : ids) store->delete_conversation(id);
  return 0;
}
