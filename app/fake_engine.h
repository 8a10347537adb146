#pragma once
// FakeEngine: a ChatEngine with no model, for tests and the responsiveness check. It writes
// the message tree exactly as ChatSession does (user message under the active leaf, assistant
// reply streamed through PartialWriter, siblings for regenerate/edit, continue appends) and
// streams "tokens" as fast as asked: token_delay_us = 0 is far faster than any GPU.
#include <cstdint>
#include <string>

#include "app/chat_engine.h"

namespace falcon {

struct FakeEngineOptions {
  int tokens_per_reply = 40;  // "word<i> " pieces per reply before an Eos
  int token_delay_us = 0;     // sleep per token (0: as fast as the CPU goes)
  int load_steps = 10;        // progress callbacks during load()
  int load_step_ms = 5;       // sleep per load step (a blocking load, like reading weights)
  std::string load_error;     // when set, load() throws Error(Load) with this text after the steps
  // When set and a request names this folder, load() refuses it at once (Error(Usage)) and
  // keeps the model it has, as the real engine does for a GPU that cannot be used.
  std::string refuse_dir;
  int context_length = 2048;
  BackendMemory memory;  // what load() reports as the model's memory
  // Each later memory() call reports this many bytes more of the device in use (another program
  // allocating), so that the status bar's refresh shows up in tests.
  uint64_t device_used_step = 0;
  // What load() reports runs the model, and why the GPU was not used (as the real engine's Auto).
  BackendIdentity identity;
  std::string gpu_fallback_reason;
  GpuUnusable gpu_fallback_kind = GpuUnusable::None;
  std::vector<std::string> load_notes;  // the engine's notes about the load (the quantization cache)
  std::string resume_notice;            // what open_conversation() returns (ChatSession::resume's notice)
};

class FakeEngine : public ChatEngine {
 public:
  explicit FakeEngine(FakeEngineOptions options = {}) : options_(std::move(options)) {}

  LoadedModelInfo load(const ModelLoadRequest& request, const std::function<bool(double)>& progress) override;
  bool has_model() const override { return loaded_; }
  std::string open_conversation(ConversationStore& store, int64_t conversation_id,
                                const std::atomic<bool>& cancel) override;
  ReplyResult reply(ConversationStore& store, const ReplyRequest& request, const std::atomic<bool>& cancel,
                    const ReplyCallbacks& callbacks) override;
  // Words stand for tokens, as in the context counts; a reply starts from none.
  MessageTokens measure_message(const std::string& text) const override;
  ContextCounts context() const override { return context_; }
  BackendMemory memory() const override;

  // How many replies ran (tests check that a cancelled load leaves no model, etc.).
  int replies() const { return replies_; }

 private:
  void update_context(ConversationStore& store, int64_t conversation_id);

  FakeEngineOptions options_;
  bool loaded_ = false;
  std::string model_name_;  // reply_model_name of the loaded folder
  int replies_ = 0;
  ContextCounts context_;
  mutable int memory_queries_ = 0;
};

}  // namespace falcon
