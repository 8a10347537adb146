#pragma once
// ChatTemplate: renders a conversation (system prompt + turns) into text and tokens.
//
// Tokens are produced PER MESSAGE SEGMENT: a conversation's token sequence is the
// concatenation of its segments, each encoded on its own. Appending a turn therefore never
// changes the tokens of earlier turns, so the KV cache can be extended turn by turn and whole
// turns can be evicted (DESIGN.md §4). The rendered text, by contrast, is exactly what HF's
// apply_chat_template produces for the same template (tests/core/test_chat_template.cpp;
// the fixture is rendered by tools/make_tokenizer_fixtures.py, see its "renderer" field).
// Message contents are tokenized with special-token parsing on, as HF tokenizes the rendered
// string: a user who types "<|endoftext|>" gets that token.
//
// A template is a list of per-role formats, each holding its role's named placeholder once:
//   system    "System: {system}"      user "User: {user}"      assistant "Falcon: {assistant}"
// plus a separator written before every message but the first, and a generation prompt
// appended after the last message when the model is to answer. "{{" and "}}" write literal
// braces. Special-token text in a format (e.g. "<|im_start|>") becomes the special token.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/chat_types.h"
#include "core/tokenizer/tokenizer.h"

namespace falcon {

struct ChatMessage {
  Role role = Role::User;
  std::string content;
};

// One message (or the generation prompt) inside ChatTokens::tokens: [begin, end).
struct ChatSegment {
  Role role = Role::User;
  size_t begin = 0;
  size_t end = 0;
  bool generation_prompt = false;  // the trailing "Falcon:" prefix, not a message
};

struct ChatTokens {
  std::vector<int32_t> tokens;
  std::vector<ChatSegment> segments;  // one per message, in order, then the generation prompt
  // tokens[0, system_tokens) are the system prompt (bos included when the tokenizer adds one;
  // 0 when there is neither): the KV window pins exactly these.
  size_t system_tokens = 0;
};

// A user-defined template. custom() validates it (see the rules in the file comment).
struct CustomTemplateSpec {
  std::string name = "custom";
  std::string system = "{system}";                      // must contain {system} exactly once
  std::string user = "User: {user}";                    // must contain {user} exactly once
  std::string assistant = "Assistant: {assistant}";     // must contain {assistant} exactly once
  std::string separator = "\n";                         // before every message but the first
  std::string generation_prompt = "\nAssistant:";       // appended when the model is to answer
  std::vector<std::string> stop_strings = {"\nUser:"};  // text that ends the model's turn
  // Role labels the model must not write, e.g. "User:": they end its turn at a line start or
  // right after a sentence (". User:"), never inside one (SamplingSettings::turn_markers).
  std::vector<std::string> turn_markers;
};

class ChatTemplate {
 public:
  // The Falcon chat format of tiiuae/falcon-180B-chat's chat_template, which the bundled model
  // is trained on: "System: {system}" "User: {user}" "Falcon: {assistant}", separator "\n",
  // generation prompt "\nFalcon:", stop strings "\nUser:" and "\nSystem:", turn markers "User:"
  // and "System:" (a small model sometimes writes "… is 42. User: …" without the newline).
  static ChatTemplate falcon_instruct();
  // tiiuae/falcon-7b-instruct's chat_template: the stripped system prompt first, then
  // "\n\nUser: {user}" and "\n\nAssistant: {assistant}" with each content stripped and "\r\n"
  // then "\n\n" replaced by "\n"; generation prompt "\n\nAssistant:"; stop string "\nUser:";
  // turn marker "User:".
  // (HF refuses conversations whose roles do not alternate user/assistant; this renders them.)
  static ChatTemplate falcon_7b_instruct();
  // The built-in template whose HF chat_template (tokenizer_config.json) is `jinja`, if any:
  // lets a checkpoint folder choose between falcon_7b_instruct() and falcon_instruct().
  static std::optional<ChatTemplate> from_hf_chat_template(std::string_view jinja);
  // No template: message contents concatenated as they are; no generation prompt, no stops.
  static ChatTemplate plain();
  // Throws Error(Usage) naming the problem (missing/duplicate/unknown placeholder, stray brace,
  // invalid UTF-8, empty stop string, over-long field).
  static ChatTemplate custom(const CustomTemplateSpec& spec);

  const std::string& name() const { return name_; }
  const std::vector<std::string>& stop_strings() const { return stops_; }
  const std::vector<std::string>& turn_markers() const { return markers_; }

  // Text of message `index` of a conversation (separator included when index > 0).
  std::string render_message(const ChatMessage& message, size_t index) const;
  // Text appended so that the model answers ("" for plain()). `n_messages` is how many
  // messages precede it (the Falcon prompt is the same either way; custom ones may differ).
  std::string render_generation_prompt(size_t n_messages) const;
  // The whole conversation as text: the concatenation of the parts above.
  std::string render(std::span<const ChatMessage> messages, bool add_generation_prompt) const;

  // Tokens of one message segment / of the generation prompt. Message 0 gets bos in front
  // when tokenizer.specials().add_bos.
  std::vector<int32_t> tokenize_message(const Tokenizer& tokenizer, const ChatMessage& message,
                                        size_t index) const;
  std::vector<int32_t> tokenize_generation_prompt(const Tokenizer& tokenizer, size_t n_messages) const;
  // The concatenation of the segments above, with the segment table and the system-prompt length.
  ChatTokens tokenize(const Tokenizer& tokenizer, std::span<const ChatMessage> messages,
                      bool add_generation_prompt) const;

 private:
  enum class Transform { None, Strip, StripCollapseNewlines };
  struct RoleFormat {
    std::string prefix;                     // text before the content
    std::string suffix;                     // text after the content
    Transform transform = Transform::None;  // applied to the content (falcon_7b_instruct)
  };
  const RoleFormat& format(Role role) const;

  std::string name_;
  RoleFormat system_, user_, assistant_;
  std::string separator_;
  std::string generation_prompt_;
  std::vector<std::string> stops_;
  std::vector<std::string> markers_;
};

}  // namespace falcon
