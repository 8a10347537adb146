#pragma once
// The token context of one branch of a conversation, as ChatSession feeds it to the KV window.
//
// Canonical form: a branch's tokens are the concatenation of its messages' template segments
// (ChatTemplate::tokenize_message), optionally followed by the generation prompt. After every
// reply ChatSession rewrites the cache's tail into this form, so the window always holds
//   canonical[0, pinned) + canonical[pinned + evicted, end)
// and a stored chat, a branch switch or a re-tokenization after a model change all produce
// the same ids the live session had.
#include <cstdint>
#include <vector>

#include "core/chat/chat_template.h"
#include "core/chat/kv_window.h"
#include "core/store/store_types.h"
#include "core/tokenizer/tokenizer.h"

namespace falcon {

struct BranchTokens {
  std::vector<int32_t> tokens;        // canonical tokens of the branch
  std::vector<size_t> segment_begin;  // where each segment starts (system, messages, prompt)
  std::vector<int64_t> message_ids;   // the store ids of the message segments, in order
  size_t pinned = 0;                  // leading tokens that belong to the system prompt
};

// Tokenizes `path` (root first) under the conversation's system prompt; with
// `generation_prompt`, the prompt that makes the model answer is appended as a last segment.
BranchTokens tokenize_branch(const ChatTemplate& chat_template, const Tokenizer& tokenizer,
                             const std::string& system_prompt, const std::vector<Message>& path,
                             bool generation_prompt);

// The window state that keeps `branch` with the pinned span and at most `window` recent
// tokens, `evicted` tokens after the pinned span being already gone; when that still leaves
// more than `window`, the oldest recent tokens are dropped, starting the kept part at a
// segment boundary where one lies within the window, else mid-segment. A branch that ends in
// the generation prompt keeps as much of its last message as fits, whatever `evicted` says.
KvWindowState window_state_for(const BranchTokens& branch, int64_t evicted, int window);

// The last message of `branch` (the one a reply answers) against what `state` keeps of it: a
// message longer than the window loses its beginning, which the model then never sees.
struct MessageFit {
  int64_t tokens = 0;  // the message's tokens (its template markers included)
  int64_t cut = 0;     // of them, the first ones `state` leaves out
};
MessageFit last_message_fit(const BranchTokens& branch, const KvWindowState& state);

}  // namespace falcon
