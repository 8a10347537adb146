#pragma once
// ChatEngine: what the inference worker needs from "a model that chats", so the worker and the
// controller can be tested with a fake, artificially fast engine (fake_engine.h) and run with
// the real one (falcon_chat_engine.h: open_model + ChatSession) in the app.
//
// Threading: an engine is created, used and destroyed on the worker thread only. It writes the
// conversation through the ConversationStore instance the worker owns on that thread.
#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "app/engine/chat_session.h"
#include "app/engine/open_model.h"
#include "core/chat/sampler.h"
#include "core/store/conversation_store.h"

namespace falcon {

struct ModelLoadRequest {
  std::string dir;  // checkpoint folder (config.json, *.safetensors, tokenizer files)
  BackendChoice backend = BackendChoice::Auto;
  WeightFormat weights = WeightFormat::Bf16;
};

// What the status bar shows once a model is loaded.
struct LoadedModelInfo {
  std::string dir;
  BackendIdentity backend;          // what runs it (CPU threads, the GPU's name), put into words by the app
  std::string backend_description;  // Backend::describe(), e.g. "cpu, 2 threads": for a Kind::Other backend
  std::string gpu_fallback_reason;  // why Auto did not use the GPU ("" when it did or was not asked)
  GpuUnusable gpu_fallback_kind = GpuUnusable::None;  // ... as a kind the app words in its language
  std::vector<std::string> load_notes;                // the quantization cache: reused / written / why not
  std::string fingerprint;                            // model_fingerprint(dir)
  int context_length = 0;                             // cache capacity in tokens
  BackendMemory memory;  // weights/cache bytes, where, and the weight format in use
};

// What a user message takes of a prompt (the composer shows it before sending): its tokens as
// the chat template writes it, and those of the prompt a reply starts from after it. Together
// they must fit the chat's window, or the model sees only the message's end.
struct MessageTokens {
  int64_t tokens = -1;  // -1: unknown (no model)
  int64_t reply_prompt = -1;
};

enum class ReplyKind { Send, Regenerate, EditAndResend, Continue };

struct ReplyRequest {
  ReplyKind kind = ReplyKind::Send;
  int64_t conversation_id = 0;
  int64_t message_id = 0;  // Regenerate/Continue: the assistant message; Edit: the user message
  std::string text;        // Send/Edit: the user's text
  SamplingSettings settings;
};

class ChatEngine {
 public:
  virtual ~ChatEngine() = default;

  // Loads a model, replacing the current one. `progress` gets [0, 1] and returns false to
  // cancel. Throws falcon::Error (Load, OutOfMemory, Usage, Cancelled); on failure the
  // previous model is gone too (has_model() false), which the UI says.
  virtual LoadedModelInfo load(const ModelLoadRequest& request,
                               const std::function<bool(double)>& progress) = 0;
  virtual bool has_model() const = 0;

  // Brings the cache to the conversation's kept context (exact resume). Returns a notice for
  // the user ("" when none). Throws falcon::Error.
  virtual std::string open_conversation(ConversationStore& store, int64_t conversation_id,
                                        const std::atomic<bool>& cancel) = 0;

  // Runs one reply of the request's kind, writing messages through `store`. Throws falcon::Error.
  virtual ReplyResult reply(ConversationStore& store, const ReplyRequest& request,
                            const std::atomic<bool>& cancel, const ReplyCallbacks& callbacks) = 0;

  // `text` as a user message of a prompt for the loaded model ({-1, -1} without one).
  virtual MessageTokens measure_message(const std::string& text) const = 0;
  // Pinned | evicted | recent tokens of the open conversation.
  virtual ContextCounts context() const = 0;

  // The model's memory now, with the whole device's use (GPU memory, or the host's RAM) read
  // at this call, for the status bar's refresh; all zero without a model.
  virtual BackendMemory memory() const = 0;
};

}  // namespace falcon
