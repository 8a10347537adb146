#pragma once
// ChatSession: one conversation of the store bound to a loaded model. It is the single code path
// for chatting, used by `falcon-run --db` and by the app's InferenceWorker:
//   store (messages, window state) + ChatTemplate (per-message token segments)
//   + KvWindow (pinned system prompt, recent window) + Generator (sampling, streaming, stops).
// Not thread-safe: create and use it on one thread (the worker thread in the app).
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "app/engine/chat_context.h"
#include "core/chat/chat_template.h"
#include "core/chat/sampler.h"
#include "core/common/chat_types.h"
#include "core/model/backend.h"
#include "core/store/conversation_store.h"
#include "core/tokenizer/tokenizer.h"

namespace falcon {

// What the context map in the UI shows (DESIGN.md §4).
struct ContextCounts {
  int64_t pinned = 0;   // system-prompt tokens kept forever
  int64_t evicted = 0;  // tokens dropped from the window so far
  int64_t recent = 0;   // tokens in the recent window now
  int64_t window = 0;   // the window size W
};

struct ReplyCallbacks {
  // A piece of valid UTF-8 text of the reply; return false to stop (same as cancel).
  std::function<bool(std::string_view piece)> on_text;
  // Called once when the reply message row exists (before any text), with its id.
  std::function<void(int64_t message_id)> on_started;
};

struct ReplyResult {
  int64_t user_message_id = 0;  // 0 for regenerate/continue
  int64_t assistant_message_id = 0;
  std::string text;       // the whole reply as stored
  GenerationStats stats;  // tokens, TTFT, tokens/s, stop reason
  ContextCounts context;
  MessageFit answered;  // the message answered, and how much of its start the window left out
};

struct ChatSessionOptions {
  std::string model_fingerprint;            // identity of the loaded model (path + config/header hash)
  std::string model_name;                   // what each reply records as its model (reply_model_name)
  int window = 512;                         // recent-token window W (the conversation's own setting wins)
  int prefill_chunk = 256;                  // tokens per forward during prefill; cancel is checked between
  EvictMode evict_mode = EvictMode::Exact;  // KvWindowOptions::evict_mode
};

class ChatSession {
 public:
  ChatSession(ConversationStore& store, int64_t conversation_id, Backend& backend, const Tokenizer& tokenizer,
              ChatTemplate chat_template, ChatSessionOptions options);
  ~ChatSession();

  // Brings the backend's cache to the conversation's kept context: the stored window state
  // when it was made by this model (exact resume), else the active branch re-tokenized.
  // Returns a notice for the user when the model differs from the one that made the chat
  // (kOtherModelNotice; the app says it in the user's language), else "".
  std::string resume(const std::atomic<bool>& cancel);
  static constexpr const char* kOtherModelNotice =
      "This conversation was made with another model; its text is tokenized again for the one "
      "loaded now, so replies can differ from before.";

  // Appends a user message under the active leaf and generates the reply.
  ReplyResult send(std::string_view user_text, const SamplingSettings& settings,
                   const std::atomic<bool>& cancel, const ReplyCallbacks& callbacks);
  // A new sibling of `assistant_message_id` answering the same user message.
  ReplyResult regenerate(int64_t assistant_message_id, const SamplingSettings& settings,
                         const std::atomic<bool>& cancel, const ReplyCallbacks& callbacks);
  // A new sibling of `user_message_id` with new text, then its reply.
  ReplyResult edit_and_resend(int64_t user_message_id, std::string_view new_text,
                              const SamplingSettings& settings, const std::atomic<bool>& cancel,
                              const ReplyCallbacks& callbacks);
  // Generates more of a reply that stopped (length/cancel), appending to the same message.
  ReplyResult continue_reply(int64_t assistant_message_id, const SamplingSettings& settings,
                             const std::atomic<bool>& cancel, const ReplyCallbacks& callbacks);

  ContextCounts context() const;
  int64_t conversation_id() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Identity of a checkpoint folder: "<canonical path>#<hash of config.json + safetensors headers>".
std::string model_fingerprint(const std::string& model_dir);

// What a reply records as the model that wrote it (GenerationStats::model): the checkpoint
// folder's name, and the weight format when it is not the checkpoint's own ("falcon-7b · int4").
std::string reply_model_name(const std::string& model_dir, const std::string& weight_format);

}  // namespace falcon
