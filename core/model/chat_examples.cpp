#include "core/model/chat_examples.h"

#include <nlohmann/json.hpp>
#include <system_error>

#include "core/common/error.h"
#include "core/common/file_read.h"
#include "core/common/json_depth.h"

namespace falcon {
namespace {

[[noreturn]] void fail(const std::string& what) {
  throw_load_error(std::string(kChatExamplesFile) + ": " + what);
}

std::string trimmed(const std::string& s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return {};
  return s.substr(first, s.find_last_not_of(" \t\r\n") - first + 1);
}

}  // namespace

std::vector<std::string> parse_chat_examples(std::string_view json_text) {
  if (json_text.size() > kMaxChatExamplesFileBytes)
    fail("larger than " + std::to_string(kMaxChatExamplesFileBytes / 1024) + " KiB");
  if (!json_depth_within(json_text)) fail("nested too deeply");
  // The parser checks UTF-8 inside strings: an ill-formed sequence makes the text invalid.
  const nlohmann::json j = nlohmann::json::parse(json_text.begin(), json_text.end(), nullptr, false);
  if (j.is_discarded()) fail("not valid JSON (or not UTF-8)");
  if (!j.is_object()) fail("must be a JSON object");
  const auto it = j.find("examples");
  if (it == j.end() || it->is_null()) return {};
  if (!it->is_array()) fail("'examples' must be a list of strings");
  if (it->size() > kMaxChatExamples) fail("at most " + std::to_string(kMaxChatExamples) + " examples");
  std::vector<std::string> out;
  for (std::size_t i = 0; i < it->size(); ++i) {
    const auto& v = (*it)[i];
    const std::string where = "example " + std::to_string(i + 1);
    if (!v.is_string()) fail(where + " is not a string");
    const std::string text = trimmed(v.get<std::string>());
    if (text.empty()) fail(where + " is empty");
    if (text.size() > kMaxChatExampleBytes)
      fail(where + " is longer than " + std::to_string(kMaxChatExampleBytes) + " bytes");
    for (const char c : text) {
      const auto u = static_cast<unsigned char>(c);
      if ((u < 0x20 && c != '\n' && c != '\t') || u == 0x7f) fail(where + " has a control character");
    }
    out.push_back(text);
  }
  return out;
}

std::vector<std::string> read_chat_examples(const std::filesystem::path& model_dir) {
  const std::filesystem::path path = model_dir / kChatExamplesFile;
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return {};
  return parse_chat_examples(read_file_bounded(path, kMaxChatExamplesFileBytes));
}

}  // namespace falcon
