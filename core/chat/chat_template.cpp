#include "core/chat/chat_template.h"

#include "core/common/error.h"
#include "core/tokenizer/unicode_util.h"

namespace falcon {
namespace {

constexpr size_t kMaxFieldBytes = 4096;
constexpr size_t kMaxStopBytes = 256;
constexpr size_t kMaxStops = 16;

[[noreturn]] void bad_template(const std::string& name, const std::string& why) {
  throw_usage_error("chat template '" + name + "': " + why);
}

// Parses `fmt` of field `field`: "{{"/"}}" are literal braces, `{placeholder}` (when given)
// must appear exactly once and splits the text into prefix and suffix; any other {...} or a
// lone brace is an error.
void parse_field(const std::string& tmpl, const std::string& field, std::string_view fmt,
                 std::string_view placeholder, std::string& prefix, std::string& suffix) {
  if (fmt.size() > kMaxFieldBytes) {
    bad_template(tmpl, field + " is longer than " + std::to_string(kMaxFieldBytes) + " bytes");
  }
  if (!unicode::is_valid_utf8(fmt)) bad_template(tmpl, field + " is not valid UTF-8");
  prefix.clear();
  suffix.clear();
  bool seen = false;
  std::string* out = &prefix;
  for (size_t i = 0; i < fmt.size(); ++i) {
    const char c = fmt[i];
    if (c == '{' && i + 1 < fmt.size() && fmt[i + 1] == '{') {
      *out += '{';
      ++i;
    } else if (c == '}' && i + 1 < fmt.size() && fmt[i + 1] == '}') {
      *out += '}';
      ++i;
    } else if (c == '{') {
      const size_t close = fmt.find('}', i + 1);
      if (close == std::string_view::npos)
        bad_template(tmpl, field + " has a '{' that is never closed (write {{ for a brace)");
      const std::string_view name = fmt.substr(i + 1, close - i - 1);
      if (placeholder.empty() || name != placeholder) {
        std::string expected =
            placeholder.empty() ? "no placeholder" : "only {" + std::string(placeholder) + "}";
        bad_template(tmpl, field + " uses the unknown placeholder {" + std::string(name) + "}; it may hold " +
                               expected + " (write {{ and }} for literal braces)");
      }
      if (seen) bad_template(tmpl, field + " uses {" + std::string(placeholder) + "} twice");
      seen = true;
      out = &suffix;
      i = close;
    } else if (c == '}') {
      bad_template(tmpl, field + " has a lone '}' (write }} for a brace)");
    } else {
      *out += c;
    }
  }
  if (!placeholder.empty() && !seen) {
    bad_template(tmpl, field + " must contain {" + std::string(placeholder) + "} where the message goes");
  }
}

}  // namespace

ChatTemplate ChatTemplate::custom(const CustomTemplateSpec& spec) {
  ChatTemplate t;
  t.name_ = spec.name.empty() ? "custom" : spec.name;
  if (t.name_.size() > 128 || !unicode::is_valid_utf8(t.name_))
    bad_template("custom", "the name is not valid");
  parse_field(t.name_, "the system format", spec.system, "system", t.system_.prefix, t.system_.suffix);
  parse_field(t.name_, "the user format", spec.user, "user", t.user_.prefix, t.user_.suffix);
  parse_field(t.name_, "the assistant format", spec.assistant, "assistant", t.assistant_.prefix,
              t.assistant_.suffix);
  std::string unused;
  parse_field(t.name_, "the separator", spec.separator, "", t.separator_, unused);
  parse_field(t.name_, "the generation prompt", spec.generation_prompt, "", t.generation_prompt_, unused);
  if (spec.stop_strings.size() > kMaxStops)
    bad_template(t.name_, "more than " + std::to_string(kMaxStops) + " stop strings");
  for (const auto& s : spec.stop_strings) {
    if (s.empty()) bad_template(t.name_, "a stop string is empty");
    if (s.size() > kMaxStopBytes)
      bad_template(t.name_, "a stop string is longer than " + std::to_string(kMaxStopBytes) + " bytes");
    if (!unicode::is_valid_utf8(s)) bad_template(t.name_, "a stop string is not valid UTF-8");
    t.stops_.push_back(s);
  }
  if (spec.turn_markers.size() > kMaxStops)
    bad_template(t.name_, "more than " + std::to_string(kMaxStops) + " turn markers");
  for (const auto& m : spec.turn_markers) {
    if (m.empty() || m.size() > kMaxStopBytes || !unicode::is_valid_utf8(m))
      bad_template(t.name_, "a turn marker is empty, too long or not valid UTF-8");
    t.markers_.push_back(m);
  }
  return t;
}

ChatTemplate ChatTemplate::falcon_instruct() {
  // tiiuae/falcon-180B-chat (and falcon-7b/40b-instruct) chat_template:
  //   messages joined by "\n"; "System: ", "User: ", "Falcon: " before each content;
  //   add_generation_prompt appends "\n" + "Falcon:".
  CustomTemplateSpec s;
  s.name = "falcon-instruct";
  s.system = "System: {system}";
  s.user = "User: {user}";
  s.assistant = "Falcon: {assistant}";
  s.separator = "\n";
  s.generation_prompt = "\nFalcon:";
  s.stop_strings = {"\nUser:", "\nSystem:"};
  s.turn_markers = {"User:", "System:"};
  return custom(s);
}

ChatTemplate ChatTemplate::falcon_7b_instruct() {
  CustomTemplateSpec s;
  s.name = "falcon-7b-instruct";
  s.system = "{system}";
  s.user = "\n\nUser: {user}";
  s.assistant = "\n\nAssistant: {assistant}";
  s.separator = "";
  s.generation_prompt = "\n\nAssistant:";
  s.stop_strings = {"\nUser:"};
  s.turn_markers = {"User:"};
  ChatTemplate t = custom(s);
  t.system_.transform = Transform::Strip;
  t.user_.transform = Transform::StripCollapseNewlines;
  t.assistant_.transform = Transform::StripCollapseNewlines;
  return t;
}

std::optional<ChatTemplate> ChatTemplate::from_hf_chat_template(std::string_view jinja) {
  const auto has = [&](std::string_view needle) { return jinja.find(needle) != std::string_view::npos; };
  if (has("'\\n\\nUser: '") && has("'\\n\\nAssistant:'") && has("system_message.strip()")) {
    return falcon_7b_instruct();
  }
  if (has("'System: '") && has("'User: '") && has("'Falcon: '") && has("'Falcon:'")) return falcon_instruct();
  return std::nullopt;
}

ChatTemplate ChatTemplate::plain() {
  CustomTemplateSpec s;
  s.name = "plain";
  s.system = "{system}";
  s.user = "{user}";
  s.assistant = "{assistant}";
  s.separator = "";
  s.generation_prompt = "";
  s.stop_strings = {};
  return custom(s);
}

const ChatTemplate::RoleFormat& ChatTemplate::format(Role role) const {
  switch (role) {
    case Role::System:
      return system_;
    case Role::User:
      return user_;
    case Role::Assistant:
      return assistant_;
  }
  return user_;
}

namespace {

// Python's str.isspace() (what Jinja's .strip() removes): White_Space plus U+001C..U+001F.
bool python_space(int32_t c) {
  return unicode::is_whitespace(c) || (c >= 0x1C && c <= 0x1F);
}

std::string python_strip(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e) {
    size_t len = 1;
    if (!python_space(unicode::decode_at(s, b, len))) break;
    b += len;
  }
  while (e > b) {
    size_t k = e - 1;
    while (k > b && (static_cast<uint8_t>(s[k]) & 0xC0) == 0x80) --k;
    size_t len = 1;
    if (!python_space(unicode::decode_at(s, k, len))) break;
    e = k;
  }
  return std::string(s.substr(b, e - b));
}

// Python's str.replace(from, to): non-overlapping, left to right, one pass.
std::string replace_all(const std::string& s, std::string_view from, std::string_view to) {
  std::string out;
  size_t prev = 0;
  for (size_t p = s.find(from); p != std::string::npos; p = s.find(from, p + from.size())) {
    out.append(s, prev, p - prev);
    out += to;
    prev = p + from.size();
  }
  out.append(s, prev, std::string::npos);
  return out;
}

}  // namespace

std::string ChatTemplate::render_message(const ChatMessage& message, size_t index) const {
  const RoleFormat& f = format(message.role);
  std::string content;
  switch (f.transform) {
    case Transform::None:
      content = message.content;
      break;
    case Transform::Strip:
      content = python_strip(message.content);
      break;
    case Transform::StripCollapseNewlines:
      content = replace_all(replace_all(python_strip(message.content), "\r\n", "\n"), "\n\n", "\n");
      break;
  }
  std::string out;
  out.reserve(separator_.size() + f.prefix.size() + content.size() + f.suffix.size());
  if (index > 0) out += separator_;
  out += f.prefix;
  out += content;
  out += f.suffix;
  return out;
}

std::string ChatTemplate::render_generation_prompt(size_t /*n_messages*/) const {
  return generation_prompt_;
}

std::string ChatTemplate::render(std::span<const ChatMessage> messages, bool add_generation_prompt) const {
  std::string out;
  for (size_t i = 0; i < messages.size(); ++i) out += render_message(messages[i], i);
  if (add_generation_prompt) out += render_generation_prompt(messages.size());
  return out;
}

namespace {
std::vector<int32_t> encode_segment(const Tokenizer& tok, const std::string& text, bool first) {
  std::vector<int32_t> ids;
  if (first && tok.specials().add_bos && tok.specials().bos >= 0) ids.push_back(tok.specials().bos);
  const auto body = tok.encode(text, /*parse_special=*/true);
  ids.insert(ids.end(), body.begin(), body.end());
  return ids;
}
}  // namespace

std::vector<int32_t> ChatTemplate::tokenize_message(const Tokenizer& tokenizer, const ChatMessage& message,
                                                    size_t index) const {
  return encode_segment(tokenizer, render_message(message, index), index == 0);
}

std::vector<int32_t> ChatTemplate::tokenize_generation_prompt(const Tokenizer& tokenizer,
                                                              size_t n_messages) const {
  return encode_segment(tokenizer, render_generation_prompt(n_messages), n_messages == 0);
}

ChatTokens ChatTemplate::tokenize(const Tokenizer& tokenizer, std::span<const ChatMessage> messages,
                                  bool add_generation_prompt) const {
  ChatTokens out;
  for (size_t i = 0; i < messages.size(); ++i) {
    const auto ids = tokenize_message(tokenizer, messages[i], i);
    ChatSegment seg{messages[i].role, out.tokens.size(), out.tokens.size() + ids.size(), false};
    out.tokens.insert(out.tokens.end(), ids.begin(), ids.end());
    out.segments.push_back(seg);
  }
  if (add_generation_prompt) {
    const auto ids = tokenize_generation_prompt(tokenizer, messages.size());
    ChatSegment seg{Role::Assistant, out.tokens.size(), out.tokens.size() + ids.size(), true};
    out.tokens.insert(out.tokens.end(), ids.begin(), ids.end());
    out.segments.push_back(seg);
  }
  // The leading system message (with bos) is pinned; without one, only a bos is.
  if (!messages.empty() && messages[0].role == Role::System) {
    out.system_tokens = out.segments[0].end;
  } else if (!out.tokens.empty() && tokenizer.specials().add_bos && tokenizer.specials().bos >= 0 &&
             out.tokens[0] == tokenizer.specials().bos) {
    out.system_tokens = 1;
  }
  return out;
}

}  // namespace falcon
