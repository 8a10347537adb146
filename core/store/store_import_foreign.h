#pragma once
// Other apps' conversation exports read into our import records, so that they are imported the same
// way (whole or not at all, branches kept): ChatGPT's data export (conversations.json: a list of
// conversations, or one of them), Open WebUI's (chat-export-<time>.json) and LM Studio's chat files
// (<time>.conversation.json, one chat each). What is kept is said
// in store_import_foreign.cpp. Pure, like parse_import, which calls it for such a file.
#include <nlohmann/json_fwd.hpp>
#include <string_view>
#include <vector>

#include "core/store/store_import.h"

namespace falcon {

// Parses a file to import, leaving out of the tree what the importers do not read inside another
// app's message tree (imported_key in the .cpp); anything else, our own format whole, is kept.
// Throws nlohmann::json::exception on malformed JSON.
nlohmann::json parse_for_import(std::string_view text);

enum class ForeignFormat { None, ChatGpt, OpenWebUi, LmStudio };
// By the first conversation: a "mapping" tree (ChatGPT), a "chat" with a "history" (Open WebUI),
// "messages" whose turns have "versions" (LM Studio).
ForeignFormat foreign_format_of(const nlohmann::json& root);
// Throws StoreError(InvalidImport) naming the place when a conversation has no message tree or a
// message is longer than kImportMaxText.
std::vector<ImportedConversation> parse_foreign_export(const nlohmann::json& root, ForeignFormat format);

}  // namespace falcon
