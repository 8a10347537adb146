#pragma once
// Example prompts a model folder may suggest for an empty chat (`falcon-chat.json`, our own
// optional file beside config.json). Hugging Face checkpoints have none; the bundled model has
// one, so that a first-time user sees what a 15 M-parameter model can answer. Format:
//
//   {"examples": ["What is 35 + 48?", "Count from 5 to 12."]}
//
// Other keys are ignored (room for later ones). The examples are in the model's own language
// and are never translated.
#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace falcon {

inline constexpr const char* kChatExamplesFile = "falcon-chat.json";
inline constexpr std::size_t kMaxChatExamples = 8;
inline constexpr std::size_t kMaxChatExampleBytes = 500;
inline constexpr std::size_t kMaxChatExamplesFileBytes = 64 * 1024;

// The examples of `json_text`, each trimmed of surrounding white space. Throws Error(Load)
// naming the file and what is wrong: not a JSON object, "examples" not a list of non-empty
// strings, more than kMaxChatExamples, one longer than kMaxChatExampleBytes, or a control
// character other than a line break or tab.
std::vector<std::string> parse_chat_examples(std::string_view json_text);

// The examples of `model_dir`/falcon-chat.json; none when the file does not exist. Throws
// Error(Load) as parse_chat_examples does, and when the file is too large or unreadable.
std::vector<std::string> read_chat_examples(const std::filesystem::path& model_dir);

}  // namespace falcon
