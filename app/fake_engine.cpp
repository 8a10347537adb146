#include "app/fake_engine.h"

#include <algorithm>
#include <chrono>
#include <thread>

#include "app/engine/chat_session.h"
#include "core/common/error.h"
#include "core/model/weight_format_name.h"

namespace falcon {
namespace {

double ms_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

int64_t count_words(const std::string& text) {
  int64_t n = 0;
  bool in_word = false;
  for (char c : text) {
    const bool space = c == ' ' || c == '\n' || c == '\t';
    if (!space && !in_word) ++n;
    in_word = !space;
  }
  return n;
}

}  // namespace

LoadedModelInfo FakeEngine::load(const ModelLoadRequest& request,
                                 const std::function<bool(double)>& progress) {
  // Like the real engine: a refused choice leaves the loaded model in place.
  if (!options_.refuse_dir.empty() && request.dir == options_.refuse_dir)
    throw Error(ErrorKind::Usage, "The GPU cannot be used: no usable CUDA device.");
  loaded_ = false;
  for (int i = 1; i <= options_.load_steps; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(options_.load_step_ms));
    if (progress && !progress(double(i) / options_.load_steps))
      throw Error(ErrorKind::Cancelled, "Loading was cancelled.");
  }
  if (!options_.load_error.empty()) throw Error(ErrorKind::Load, options_.load_error);
  loaded_ = true;
  model_name_ = reply_model_name(request.dir, weight_format_name(request.weights));
  LoadedModelInfo info;
  info.dir = request.dir;
  info.backend = options_.identity;
  info.backend_description = "fake engine";
  info.gpu_fallback_reason = options_.gpu_fallback_reason;
  info.gpu_fallback_kind = options_.gpu_fallback_kind;
  info.load_notes = options_.load_notes;
  info.fingerprint = "fake#" + request.dir;
  info.context_length = options_.context_length;
  info.memory = options_.memory;
  return info;
}

void FakeEngine::update_context(ConversationStore& store, int64_t conversation_id) {
  const Conversation c = store.conversation(conversation_id);
  int64_t total = 0;
  for (const Message& m : store.active_path(conversation_id)) total += count_words(m.text);
  context_.pinned = count_words(c.system_prompt);
  context_.window = c.window_size;
  context_.recent = std::min<int64_t>(total, c.window_size);
  context_.evicted = total - context_.recent;
}

std::string FakeEngine::open_conversation(ConversationStore& store, int64_t conversation_id,
                                          const std::atomic<bool>& /*cancel*/) {
  if (!loaded_) throw Error(ErrorKind::Usage, "No model is loaded.");
  update_context(store, conversation_id);
  return options_.resume_notice;
}

ReplyResult FakeEngine::reply(ConversationStore& store, const ReplyRequest& request,
                              const std::atomic<bool>& cancel, const ReplyCallbacks& callbacks) {
  if (!loaded_) throw Error(ErrorKind::Usage, "No model is loaded. Open one with Model ▸ Open.");
  if (std::string problem = request.settings.validate(); !problem.empty())
    throw Error(ErrorKind::Usage, problem);
  ++replies_;
  ReplyResult result;
  const int64_t conv = request.conversation_id;
  int64_t assistant = 0;
  std::string prefix;  // text already in the reply (continue)
  int64_t prefix_tokens = 0;
  switch (request.kind) {
    case ReplyKind::Send: {
      const Conversation c = store.conversation(conv);
      result.user_message_id = store.append_message(conv, c.active_leaf_id, Role::User, request.text);
      assistant = store.begin_assistant_reply(conv, result.user_message_id);
      break;
    }
    case ReplyKind::Regenerate: {
      const Message old = store.message(request.message_id);
      if (old.role != Role::Assistant) throw Error(ErrorKind::Usage, "Only a reply can be regenerated.");
      assistant = store.begin_assistant_reply(conv, old.parent_id);
      break;
    }
    case ReplyKind::EditAndResend: {
      const Message old = store.message(request.message_id);
      if (old.role != Role::User) throw Error(ErrorKind::Usage, "Only your own messages can be edited.");
      result.user_message_id = store.append_message(conv, old.parent_id, Role::User, request.text);
      assistant = store.begin_assistant_reply(conv, result.user_message_id);
      break;
    }
    case ReplyKind::Continue: {
      const Message old = store.message(request.message_id);
      if (old.role != Role::Assistant) throw Error(ErrorKind::Usage, "Only a reply can be continued.");
      assistant = old.id;
      prefix = old.text;
      prefix_tokens = old.token_count;
      store.reopen_reply(assistant);
      store.set_active_leaf(conv, assistant);
      break;
    }
  }
  result.assistant_message_id = assistant;
  if (callbacks.on_started) callbacks.on_started(assistant);

  PartialWriter writer(store, assistant);
  if (!prefix.empty()) writer.append(prefix, prefix_tokens);
  const auto t0 = std::chrono::steady_clock::now();
  const int limit = std::min(options_.tokens_per_reply, request.settings.max_new_tokens);
  int produced = 0;
  StopReason reason = limit < options_.tokens_per_reply ? StopReason::Length : StopReason::Eos;
  for (; produced < limit; ++produced) {
    if (cancel.load(std::memory_order_relaxed)) {
      reason = StopReason::Cancelled;
      break;
    }
    if (options_.token_delay_us > 0)
      std::this_thread::sleep_for(std::chrono::microseconds(options_.token_delay_us));
    if (produced == 0) result.stats.ttft_ms = ms_since(t0);
    const std::string piece =
        (produced == 0 && prefix.empty() ? "" : " ") + std::string("word") + std::to_string(produced);
    writer.append(piece, 1);
    if (callbacks.on_text && !callbacks.on_text(piece)) {
      ++produced;
      reason = StopReason::Cancelled;
      break;
    }
  }
  const double total_ms = ms_since(t0);
  if (produced > 1 && result.stats.ttft_ms && total_ms > *result.stats.ttft_ms)
    result.stats.tokens_per_s = (produced - 1) * 1000.0 / (total_ms - *result.stats.ttft_ms);
  result.stats.stop_reason = reason;
  result.stats.model = model_name_;  // as the real engine's ChatSession records it
  if (request.kind == ReplyKind::Send || request.kind == ReplyKind::EditAndResend) {
    // Words stand for tokens, as in the context counts: a message longer than the window loses
    // its first words, as the real engine's does its first tokens; the reply records it.
    const int64_t words = count_words(request.text);
    result.answered = {words, std::max<int64_t>(0, words - store.conversation(conv).window_size)};
    result.stats.answered_tokens = result.answered.tokens;
    result.stats.answered_cut = result.answered.cut;
  }
  writer.finish(result.stats);
  result.text = writer.text();
  update_context(store, conv);
  result.context = context_;
  return result;
}

MessageTokens FakeEngine::measure_message(const std::string& text) const {
  if (!loaded_) return {};
  return {count_words(text), 0};
}

BackendMemory FakeEngine::memory() const {
  if (!loaded_) return {};
  BackendMemory m = options_.memory;
  m.device_used += options_.device_used_step * static_cast<uint64_t>(++memory_queries_);
  return m;
}

}  // namespace falcon
