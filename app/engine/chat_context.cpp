#include "app/engine/chat_context.h"

#include <algorithm>

namespace falcon {
namespace {

// The tokens [begin, end) of the branch's last message (its segments: the system prompt when
// there is one, the messages, perhaps the generation prompt); empty at the branch's end when it
// has no message.
struct Span {
  size_t begin, end;
};
Span last_message(const BranchTokens& branch) {
  const size_t k = (branch.pinned > 0 ? 1 : 0) + branch.message_ids.size();  // past its segment
  if (branch.message_ids.empty() || k > branch.segment_begin.size())
    return {branch.tokens.size(), branch.tokens.size()};
  return {branch.segment_begin[k - 1],
          k < branch.segment_begin.size() ? branch.segment_begin[k] : branch.tokens.size()};
}

}  // namespace

BranchTokens tokenize_branch(const ChatTemplate& chat_template, const Tokenizer& tokenizer,
                             const std::string& system_prompt, const std::vector<Message>& path,
                             bool generation_prompt) {
  BranchTokens out;
  size_t index = 0;
  auto add = [&](const std::vector<int32_t>& segment) {
    out.segment_begin.push_back(out.tokens.size());
    out.tokens.insert(out.tokens.end(), segment.begin(), segment.end());
  };
  if (!system_prompt.empty()) {
    add(chat_template.tokenize_message(tokenizer, ChatMessage{Role::System, system_prompt}, index++));
    out.pinned = out.tokens.size();
  }
  for (const Message& m : path) {
    if (m.role == Role::System) continue;  // the conversation's own system prompt is the one used
    add(chat_template.tokenize_message(tokenizer, ChatMessage{m.role, m.text}, index++));
    out.message_ids.push_back(m.id);
  }
  if (generation_prompt) add(chat_template.tokenize_generation_prompt(tokenizer, index));
  return out;
}

KvWindowState window_state_for(const BranchTokens& branch, int64_t evicted, int window) {
  const size_t pinned = branch.pinned;
  const size_t total = branch.tokens.size();
  size_t start = std::min(total, pinned + static_cast<size_t>(std::max<int64_t>(0, evicted)));
  // A prompt for a reply (the generation prompt after the last message) whose message the
  // window had already evicted, wholly or in part, while an earlier reply to it was generated
  // (regenerate, edit, a resumed chat): that eviction is undone as far as the window allows,
  // else the model would answer a message it no longer sees.
  const Span last = last_message(branch);
  if (last.end < total && start > last.begin) {
    const size_t fits = total > static_cast<size_t>(window) ? total - static_cast<size_t>(window) : 0;
    start = std::max(last.begin, fits);
  }
  if (total - start > static_cast<size_t>(window)) {
    const size_t must = total - static_cast<size_t>(window);  // first index that can be kept
    start = must;
    // A turn boundary within the window, but none past the start of the last message: that
    // would drop all of it (the message a reply answers, with only the generation prompt after
    // it), which is worse than keeping its end.
    for (size_t b : branch.segment_begin) {
      if (b >= must) {
        if (b <= last.begin) start = b;
        break;
      }
    }
    if (start >= total) start = must;  // a boundary that would keep nothing is no better than a cut
  }
  KvWindowState state;
  state.pinned = static_cast<int>(pinned);
  state.evicted = static_cast<int64_t>(start - pinned);
  state.tokens.assign(branch.tokens.begin(), branch.tokens.begin() + static_cast<std::ptrdiff_t>(pinned));
  state.tokens.insert(state.tokens.end(), branch.tokens.begin() + static_cast<std::ptrdiff_t>(start),
                      branch.tokens.end());
  for (size_t b : branch.segment_begin) {
    if (b > start && b >= pinned) state.turn_starts.push_back(static_cast<int>(pinned + (b - start)));
  }
  return state;
}

MessageFit last_message_fit(const BranchTokens& branch, const KvWindowState& state) {
  const Span m = last_message(branch);
  const int64_t begin = static_cast<int64_t>(m.begin), end = static_cast<int64_t>(m.end);
  const int64_t first_kept = static_cast<int64_t>(state.pinned) + state.evicted;
  return {end - begin, std::clamp<int64_t>(first_kept - begin, 0, end - begin)};
}

}  // namespace falcon
