#include "app/falcon_chat_engine.h"

#include <algorithm>

#include "core/common/error.h"

namespace falcon {
namespace {

class FalconChatEngine : public ChatEngine {
 public:
  LoadedModelInfo load(const ModelLoadRequest& request,
                       const std::function<bool(double)>& progress) override {
    // A refusal that needs no loading comes first, while the current model is still in place.
    std::string reason;
    if (request.backend == BackendChoice::Cuda && !cuda_available(&reason))
      throw Error(ErrorKind::Usage, "The GPU cannot be used: " + reason + ".");
    session_.reset();  // it refers to the old backend
    model_ = OpenedModel{};
    OpenModelOptions o;
    o.backend = request.backend;
    o.weights = request.weights;
    o.quant_cache_dir = default_quant_cache_dir();  // int8/int4: the next load skips quantizing
    o.progress = progress;
    OpenedModel opened = open_model(request.dir, o, /*with_tokenizer=*/true);
    if (!opened.tokenizer)
      throw Error(ErrorKind::Load,
                  "No tokenizer in " + request.dir +
                      ": a chat model needs tokenizer.json or tokenizer.model next to its weights.");
    fingerprint_ = model_fingerprint(request.dir);
    dir_ = request.dir;
    // The prompt format the checkpoint was tuned on (tokenizer_config.json), as falcon-run uses.
    template_ = chat_template_for(request.dir);
    model_ = std::move(opened);
    LoadedModelInfo info;
    info.dir = request.dir;
    info.backend = model_.backend->identity();
    info.backend_description = model_.backend->describe();
    info.gpu_fallback_reason = model_.fallback_reason;
    info.gpu_fallback_kind = model_.fallback_kind;
    info.load_notes = model_.notices;
    info.fingerprint = fingerprint_;
    info.context_length = model_.backend->cache_capacity();
    info.memory = model_.backend->memory();
    return info;
  }

  bool has_model() const override { return model_.backend && model_.tokenizer; }

  BackendMemory memory() const override {
    return model_.backend ? model_.backend->memory() : BackendMemory{};
  }

  std::string open_conversation(ConversationStore& store, int64_t conversation_id,
                                const std::atomic<bool>& cancel) override {
    if (!has_model()) throw Error(ErrorKind::Usage, "No model is loaded.");
    session_.reset();
    ChatSessionOptions o;
    o.model_fingerprint = fingerprint_;
    o.model_name = reply_model_name(dir_, model_.backend->memory().weight_format);
    session_ = std::make_unique<ChatSession>(store, conversation_id, *model_.backend, *model_.tokenizer,
                                             template_, o);
    return session_->resume(cancel);
  }

  ReplyResult reply(ConversationStore& store, const ReplyRequest& r, const std::atomic<bool>& cancel,
                    const ReplyCallbacks& callbacks) override {
    if (!session_ || session_->conversation_id() != r.conversation_id)
      open_conversation(store, r.conversation_id, cancel);
    const SamplingSettings settings = with_template_stops(r.settings, template_);
    switch (r.kind) {
      case ReplyKind::Send:
        return session_->send(r.text, settings, cancel, callbacks);
      case ReplyKind::Regenerate:
        return session_->regenerate(r.message_id, settings, cancel, callbacks);
      case ReplyKind::EditAndResend:
        return session_->edit_and_resend(r.message_id, r.text, settings, cancel, callbacks);
      case ReplyKind::Continue:
        return session_->continue_reply(r.message_id, settings, cancel, callbacks);
    }
    throw Error(ErrorKind::Other, "unknown reply kind");
  }

  MessageTokens measure_message(const std::string& text) const override {
    if (!has_model()) return {};
    // Index 1: a message after the system prompt (the first segment is written differently).
    const Tokenizer& t = *model_.tokenizer;
    return {std::ssize(template_.tokenize_message(t, ChatMessage{Role::User, text}, 1)),
            std::ssize(template_.tokenize_generation_prompt(t, 2))};
  }

  ContextCounts context() const override { return session_ ? session_->context() : ContextCounts{}; }

 private:
  OpenedModel model_;
  std::string fingerprint_;
  std::string dir_;  // the loaded model's folder
  ChatTemplate template_ = ChatTemplate::falcon_instruct();
  std::unique_ptr<ChatSession> session_;
};

}  // namespace

SamplingSettings with_template_stops(SamplingSettings settings, const ChatTemplate& chat_template) {
  for (const std::string& stop : chat_template.stop_strings())
    if (std::find(settings.stop_strings.begin(), settings.stop_strings.end(), stop) ==
        settings.stop_strings.end())
      settings.stop_strings.push_back(stop);
  settings.turn_markers = chat_template.turn_markers();
  return settings;
}

std::unique_ptr<ChatEngine> make_falcon_chat_engine() {
  return std::make_unique<FalconChatEngine>();
}

}  // namespace falcon
