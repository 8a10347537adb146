#pragma once
// Parsing and validation of the JSON export format (described in store_export.cpp). Pure: no
// database access, so a rejected file can never leave half an import behind.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/store/store_types.h"

namespace falcon {

inline constexpr const char* kExportFormatName = "falcon-chat-conversations";
// 2: messages carry answered_tokens / answered_cut; 3: and the model that wrote them (files of
// versions 1 and 2, without them, still import).
inline constexpr int kExportFormatVersion = 3;

// Limits that keep a hostile file from exhausting memory or time; far above real chats.
inline constexpr size_t kImportMaxBytes = size_t{1} << 30;   // whole file
inline constexpr size_t kImportMaxText = size_t{64} << 20;   // one string
inline constexpr size_t kImportMaxTokens = size_t{1} << 24;  // window state tokens
inline constexpr int kImportMaxDepth = 64;  // JSON nesting (ours needs 5; ChatGPT's metadata nests deeper)

// Reasons a whole file is refused, which the app words in the user's language: the message of such
// an InvalidImport is "import: " + one of these (+ details for the last two) + "; nothing was
// imported". Other reasons name a place in the file.
inline constexpr const char* kImportNotAnExport =
    "this is not an export of falcon-chat, ChatGPT (conversations.json), Open WebUI or LM Studio";
inline constexpr const char* kImportZip =
    "this is a ZIP archive: unzip it and import the JSON file inside (conversations.json in ChatGPT's data "
    "export)";
inline constexpr const char* kImportNotJson = "not valid JSON";  // " (detail)"
inline constexpr const char* kImportNewer =
    "the file was exported by a newer falcon-chat";  // " (format N)..."

struct ImportedMessage {
  std::optional<int64_t> parent;  // index of an earlier message of the same conversation
  Role role = Role::User;
  std::string text;
  int64_t created_ms = 0;
  int64_t token_count = 0;
  std::optional<double> ttft_ms;
  std::optional<double> tokens_per_s;
  StopReason stop_reason = StopReason::None;
  std::optional<std::string> error;
  std::optional<int64_t> answered_tokens;  // both or neither, 0 <= cut <= tokens
  std::optional<int64_t> answered_cut;
  std::optional<std::string> model;  // the model that wrote it (GenerationStats::model)
};

// The longest model name an import takes (GenerationStats::model): a folder's name is at most 255
// bytes, and a reply continued by other models names them all.
inline constexpr size_t kImportMaxModelName = 1024;

struct ImportedConversation {
  Conversation conv;  // id and active_leaf_id unused
  std::vector<ImportedMessage> messages;
  std::optional<int64_t> active_leaf;  // index into messages
  std::optional<WindowState> window;
};

// Reads our format, or ChatGPT's or Open WebUI's export or an LM Studio chat (store_import_foreign.h).
// Throws StoreError(InvalidImport) naming the offending place, e.g.
// "conversations[2].messages[7].parent: refers to message 9, which does not come before it".
std::vector<ImportedConversation> parse_import(std::string_view json);

}  // namespace falcon
