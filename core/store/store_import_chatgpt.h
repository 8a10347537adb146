#pragma once
// ChatGPT's data export (its conversations.json: a list of conversations, or one of them) read
// into our import records (store_import_chatgpt.cpp says what is kept). Pure, like parse_import,
// which calls it for such a file.
#include <nlohmann/json_fwd.hpp>
#include <vector>

#include "core/store/store_import.h"

namespace falcon {

// A list whose first element has a "mapping", or an object with one.
bool looks_like_chatgpt_export(const nlohmann::json& root);
// Throws StoreError(InvalidImport) naming the place when a conversation has no "mapping" tree or
// a message is longer than kImportMaxText.
std::vector<ImportedConversation> parse_chatgpt_export(const nlohmann::json& root);

}  // namespace falcon
