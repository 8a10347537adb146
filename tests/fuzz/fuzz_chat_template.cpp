// Fuzz target: user-defined chat templates. The input is split at '\x01' into the spec fields
// (system, user, assistant, separator, generation prompt, stop strings...) and message
// contents; custom() must either accept or throw Error(Usage); an accepted template renders
// and tokenizes with the segment invariants intact.
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "core/chat/chat_template.h"
#include "core/common/error.h"
#include "core/tokenizer/tokenizer.h"

namespace {

const falcon::Tokenizer* fixture_tokenizer() {
  static const auto tok = []() -> std::unique_ptr<falcon::Tokenizer> {
    try {
      return falcon::load_tokenizer(std::filesystem::path(__FILE__).parent_path().parent_path() / "fixtures" /
                                    "tokenizers" / "falcon");
    } catch (const falcon::Error&) {
      return nullptr;
    }
  }();
  return tok.get();
}

void check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<std::string> f(1);
  for (size_t i = 0; i < size; ++i) {
    if (data[i] == 0x01) {
      f.emplace_back();
    } else {
      f.back() += static_cast<char>(data[i]);
    }
  }
  while (f.size() < 8) f.emplace_back();
  falcon::CustomTemplateSpec spec;
  spec.system = f[0];
  spec.user = f[1];
  spec.assistant = f[2];
  spec.separator = f[3];
  spec.generation_prompt = f[4];
  spec.stop_strings.clear();
  if (!f[5].empty()) spec.stop_strings.push_back(f[5]);
  falcon::ChatTemplate t = falcon::ChatTemplate::plain();
  try {
    t = falcon::ChatTemplate::custom(spec);
  } catch (const falcon::Error& e) {
    check(e.kind() == falcon::ErrorKind::Usage);
    return 0;
  }
  std::vector<falcon::ChatMessage> msgs = {{falcon::Role::System, f[6]}, {falcon::Role::User, f[7]}};
  for (size_t i = 8; i < f.size(); ++i) {
    msgs.push_back({i % 2 ? falcon::Role::Assistant : falcon::Role::User, f[i]});
  }
  std::string rendered;
  for (size_t i = 0; i < msgs.size(); ++i) rendered += t.render_message(msgs[i], i);
  check(rendered + t.render_generation_prompt(msgs.size()) == t.render(msgs, true));
  if (const auto* tok = fixture_tokenizer()) {
    const auto all = t.tokenize(*tok, msgs, true);
    check(all.segments.size() == msgs.size() + 1);
    size_t pos = 0;
    for (const auto& s : all.segments) {
      check(s.begin == pos && s.end >= s.begin);
      pos = s.end;
    }
    check(pos == all.tokens.size());
    check(all.system_tokens == all.segments[0].end);
  }
  return 0;
}
