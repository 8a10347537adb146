// ChatSession: see chat_session.h. The one idea here is sync(): bring the KV window to a target
// state (canonical branch tokens, chat_context.h) by keeping the longest common prefix with what
// the cache holds and forwarding the rest, so send, regenerate, edit, continue, branch switches
// and resume all share one path and the cache never holds anything but canonical context.
#include "app/engine/chat_session.h"

#include <algorithm>
#include <chrono>
#include <new>

#include "app/engine/chat_context.h"
#include "core/chat/generator.h"
#include "core/common/error.h"
#include "core/store/store_import.h"

namespace falcon {

namespace {

void validate(const SamplingSettings& settings) {
  if (const std::string problem = settings.validate(); !problem.empty())
    throw Error(ErrorKind::Usage, problem);
}

}  // namespace

struct ChatSession::Impl {
  ConversationStore& store;
  int64_t conversation;
  Backend& backend;
  const Tokenizer& tokenizer;
  ChatTemplate chat_template;
  ChatSessionOptions options;
  std::unique_ptr<KvWindow> window;
  std::vector<float> logits;

  Impl(ConversationStore& s, int64_t c, Backend& b, const Tokenizer& t, ChatTemplate tmpl,
       ChatSessionOptions o)
      : store(s),
        conversation(c),
        backend(b),
        tokenizer(t),
        chat_template(std::move(tmpl)),
        options(std::move(o)) {}

  // The window sized for the conversation's own W; recreated (cache cleared) when W changed.
  KvWindow& window_for(const Conversation& conv) {
    const int w =
        static_cast<int>(std::clamp<int64_t>(conv.window_size > 0 ? conv.window_size : options.window, 1,
                                             std::max(1, backend.cache_capacity() - 1)));
    if (!window || window->options().window != w) {
      KvWindowOptions wo;
      wo.window = w;
      wo.evict_mode = options.evict_mode;
      window = std::make_unique<KvWindow>(wo);
      window->reset(backend);
    }
    return *window;
  }

  // Root-first path ending at `leaf` (none: empty).
  std::vector<Message> path_to(std::optional<int64_t> leaf) {
    std::vector<Message> path;
    while (leaf) {
      path.push_back(store.message(*leaf));
      leaf = path.back().parent_id;
    }
    std::reverse(path.begin(), path.end());
    return path;
  }

  BranchTokens branch(const Conversation& conv, const std::vector<Message>& path,
                      bool generation_prompt) const {
    return tokenize_branch(chat_template, tokenizer, conv.system_prompt, path, generation_prompt);
  }

  // Forwards `tokens` behind what the window holds, starting a turn at each of `turn_starts`
  // (indexes into `tokens`). False when cancelled between pieces.
  bool append(std::span<const int32_t> tokens, const std::vector<int>& turn_starts,
              const std::atomic<bool>& cancel) {
    std::vector<size_t> cuts{0};
    for (int t : turn_starts)
      if (t > 0 && static_cast<size_t>(t) < tokens.size()) cuts.push_back(static_cast<size_t>(t));
    cuts.push_back(tokens.size());
    const bool first_is_turn = std::find(turn_starts.begin(), turn_starts.end(), 0) != turn_starts.end();
    for (size_t i = 0; i + 1 < cuts.size(); ++i) {
      if (cuts[i] == cuts[i + 1]) continue;
      if (i > 0 || first_is_turn) window->begin_turn();
      if (!window->forward(backend, tokens.subspan(cuts[i], cuts[i + 1] - cuts[i]), logits, false,
                           options.prefill_chunk, &cancel))
        return false;
    }
    return true;
  }

  // Brings the window to `target`, except its last `hold_back` tokens, which are returned (with
  // their turn starts) for the caller to forward (the generator needs at least one).
  bool sync(const KvWindowState& target, size_t hold_back, const std::atomic<bool>& cancel,
            GenerationRequest* rest) {
    const size_t n = target.tokens.size();
    hold_back = std::min(hold_back, n);
    const size_t goal = n - hold_back;
    const auto have = window->tokens();
    size_t lcp = 0;
    const bool same_layout = window->pinned() == target.pinned && window->evicted() == target.evicted;
    if (same_layout) {
      while (lcp < goal && lcp < have.size() && have[lcp] == target.tokens[lcp]) ++lcp;
    }
    if (same_layout && lcp >= static_cast<size_t>(target.pinned)) {
      if (lcp < have.size()) window->truncate(backend, static_cast<int>(lcp));
      std::vector<int> starts;
      for (int s : target.turn_starts)
        if (static_cast<size_t>(s) >= lcp && static_cast<size_t>(s) < goal)  // a turn may begin at lcp
          starts.push_back(s - static_cast<int>(lcp));
      if (!append(std::span<const int32_t>(target.tokens).subspan(lcp, goal - lcp), starts, cancel))
        return false;
    } else {
      KvWindowState head = target;
      head.tokens.resize(goal);
      std::erase_if(head.turn_starts, [&](int s) { return static_cast<size_t>(s) >= goal; });
      if (static_cast<size_t>(head.pinned) > goal) head.pinned = static_cast<int>(goal);
      if (!window->restore(backend, head, logits, options.prefill_chunk, &cancel)) return false;
    }
    if (rest) {
      rest->tokens.assign(target.tokens.begin() + static_cast<std::ptrdiff_t>(goal), target.tokens.end());
      rest->pin = 0;
      rest->turn_starts.clear();
      for (int s : target.turn_starts)
        if (static_cast<size_t>(s) >= goal) rest->turn_starts.push_back(s - static_cast<int>(goal));
    }
    return true;
  }

  void save_window() {
    const KvWindowState s = window->state();
    WindowState w;
    w.tokens = s.tokens;
    w.pinned_count = s.pinned;
    w.evicted_count = s.evicted;
    w.turn_starts.assign(s.turn_starts.begin(), s.turn_starts.end());
    w.sinks_taken = s.sinks_taken;
    w.model_fingerprint = options.model_fingerprint;
    store.save_window_state(conversation, w);
  }

  ContextCounts counts() const {
    ContextCounts c;
    if (window) {
      c.pinned = window->pinned();
      c.recent = window->recent();
      c.evicted = window->evicted();
      c.window = window->options().window;
    }
    return c;
  }

  // Generates a reply at the end of `path`: a new assistant message under `path.back()`, or,
  // with `continuing`, more text for the assistant message that ends `path`.
  ReplyResult reply(const std::vector<Message>& path, bool continuing, const SamplingSettings& settings,
                    const std::atomic<bool>& cancel, const ReplyCallbacks& callbacks) {
    Sampler sampler(settings);  // throws for invalid settings before anything is written
    const Conversation conv = store.conversation(conversation);
    KvWindow& win = window_for(conv);
    const BranchTokens prompt = branch(conv, path, /*generation_prompt=*/!continuing);
    if (prompt.tokens.empty()) throw Error(ErrorKind::Usage, "nothing to answer: the conversation is empty");

    ReplyResult result;
    if (continuing) store.reopen_reply(path.back().id);
    const int64_t reply_id =
        continuing ? path.back().id : store.begin_assistant_reply(conversation, path.back().id);
    result.assistant_message_id = reply_id;
    if (callbacks.on_started) callbacks.on_started(reply_id);
    PartialWriter writer(store, reply_id);
    const std::string before = continuing ? path.back().text : std::string();
    if (continuing) writer.append(before, path.back().token_count);

    // A reply starts after "Falcon:"; the space the model writes first is the template's, not
    // the reply's (HF's template renders "Falcon: " + content), so it is not part of the text.
    bool at_start = !continuing;
    int64_t pending_tokens = 0;
    GenerationCallbacks cb;
    cb.on_token = [&](int32_t) {
      ++pending_tokens;
      return true;
    };
    cb.on_text = [&](std::string_view piece) {
      if (at_start) {
        const auto first = piece.find_first_not_of(" \t\n");
        if (first == std::string_view::npos) return true;
        piece.remove_prefix(first);
        at_start = false;
      }
      writer.append(piece, pending_tokens);
      pending_tokens = 0;
      return !callbacks.on_text || callbacks.on_text(piece);
    };

    GenerationResult gen;
    GenerationRequest request;
    // Time to first token counts from here: sync() forwards all of the prompt but its last token,
    // and the generator's own clock starts only after that.
    const auto t_sync = std::chrono::steady_clock::now();
    double sync_ms = 0;
    const KvWindowState target = window_state_for(prompt, win.evicted(), win.options().window);
    if (!continuing) result.answered = last_message_fit(prompt, target);
    // Bringing the cache to the prompt can fail like generation (device memory, say): the reply
    // row exists already, so it is finished below with the error instead of left "streaming".
    bool synced = false;
    try {
      synced = sync(target, 1, cancel, &request);
    } catch (const Error& e) {
      gen.reason = StopReason::Error;
      gen.error = e.what();
      gen.error_kind = e.kind();
    } catch (const std::bad_alloc&) {
      gen.reason = StopReason::Error;
      gen.error = "out of memory while reading the conversation into the model";
      gen.error_kind = ErrorKind::OutOfMemory;
    }
    if (gen.reason == StopReason::Error) {
      window->reset(backend);  // the backend may hold part of a failed forward; rebuilt next time
    } else if (!synced) {
      gen.reason = StopReason::Cancelled;
    } else {
      sync_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t_sync).count();
      Generator generator(backend, tokenizer, win, GeneratorOptions{options.prefill_chunk});
      gen = generator.generate(request, sampler, cb, &cancel);
    }

    GenerationStats stats;
    stats.stop_reason = gen.reason;
    if (gen.stats.generated_tokens > 0) {
      stats.ttft_ms = sync_ms + gen.stats.ttft_ms;
      stats.tokens_per_s = gen.stats.decode_tokens_per_s;
    }
    if (gen.reason == StopReason::Error) stats.error_text = gen.error;
    // The model that wrote it: a reply continued by another model names both.
    stats.model = options.model_name;
    if (continuing && !path.back().stats.model.empty()) {
      stats.model = path.back().stats.model;
      const bool named =
          options.model_name.empty() ||
          (", " + stats.model + ", ").find(", " + options.model_name + ", ") != std::string::npos;
      // (at most what an import of the chat's export takes: kImportMaxModelName)
      if (!named && stats.model.size() + 2 + options.model_name.size() <= kImportMaxModelName)
        stats.model += ", " + options.model_name;
    }
    // What the prompt held of the message answered; a continued reply keeps its first prompt's.
    if (continuing) {
      stats.answered_tokens = path.back().stats.answered_tokens;
      stats.answered_cut = path.back().stats.answered_cut;
    } else {
      stats.answered_tokens = result.answered.tokens;
      stats.answered_cut = result.answered.cut;
    }
    if (pending_tokens > 0) writer.append("", pending_tokens);
    std::string text = writer.text();
    while (!text.empty() && (text.back() == ' ' || text.back() == '\n' || text.back() == '\t'))
      text.pop_back();
    store.finish_reply(reply_id, text, writer.token_count(), stats);

    result.text = text;
    result.stats = stats;
    // Rewrite the cache's tail into canonical form: the reply as the template writes it. After
    // a cancel the user's flag still applies: a stop pressed during a long prefill must not be
    // followed by that whole prefill here. The cache then keeps a prefix of the canonical
    // tokens and the next reply's sync() continues from it.
    try {
      std::vector<Message> done = path;
      if (continuing) done.pop_back();
      done.push_back(store.message(reply_id));
      const BranchTokens canonical = branch(conv, done, false);
      const std::atomic<bool> no_cancel{false};
      const std::atomic<bool>& rewrite_cancel = gen.reason == StopReason::Cancelled ? cancel : no_cancel;
      if (sync(window_state_for(canonical, win.evicted(), win.options().window), 0, rewrite_cancel, nullptr))
        save_window();
    } catch (const Error&) {
      window->reset(backend);  // rebuilt from the store on the next reply
    }
    result.context = counts();
    if (gen.reason == StopReason::Error) throw Error(gen.error_kind, gen.error);
    return result;
  }
};

ChatSession::ChatSession(ConversationStore& store, int64_t conversation_id, Backend& backend,
                         const Tokenizer& tokenizer, ChatTemplate chat_template, ChatSessionOptions options)
    : impl_(std::make_unique<Impl>(store, conversation_id, backend, tokenizer, std::move(chat_template),
                                   std::move(options))) {
  impl_->store.conversation(conversation_id);  // throws NotFound for a wrong id
}

ChatSession::~ChatSession() = default;

std::string ChatSession::resume(const std::atomic<bool>& cancel) {
  Impl& s = *impl_;
  const Conversation conv = s.store.conversation(s.conversation);
  KvWindow& win = s.window_for(conv);
  const auto stored = s.store.window_state(s.conversation);
  std::string notice;
  int64_t evicted = 0;
  if (stored) {
    if (stored->model_fingerprint == s.options.model_fingerprint) {
      evicted = stored->evicted_count;
    } else {
      notice = kOtherModelNotice;
    }
  }
  const BranchTokens branch = s.branch(conv, s.path_to(conv.active_leaf_id), false);
  KvWindowState target = window_state_for(branch, evicted, win.options().window);
  // Same model: the stored ids are exactly what the session's cache held, so they are what is
  // prefilled again. (They equal the recomputed ones unless the branch was changed by another
  // program; the next reply brings the cache back to this branch either way.)
  if (stored && notice.empty()) {
    target.tokens = stored->tokens;
    target.pinned =
        static_cast<int>(std::clamp<int64_t>(stored->pinned_count, 0, std::ssize(stored->tokens)));
    target.turn_starts.clear();
    for (int32_t t : stored->turn_starts)
      if (t > target.pinned && t < std::ssize(target.tokens)) target.turn_starts.push_back(t);
    target.sinks_taken = static_cast<int>(stored->sinks_taken);
  }
  s.sync(target, 0, cancel, nullptr);
  return notice;
}

ReplyResult ChatSession::send(std::string_view user_text, const SamplingSettings& settings,
                              const std::atomic<bool>& cancel, const ReplyCallbacks& callbacks) {
  Impl& s = *impl_;
  if (user_text.empty()) throw Error(ErrorKind::Usage, "the message is empty");
  validate(settings);
  const Conversation conv = s.store.conversation(s.conversation);
  const int64_t user_id = s.store.append_message(s.conversation, conv.active_leaf_id, Role::User, user_text);
  ReplyResult r = s.reply(s.path_to(user_id), false, settings, cancel, callbacks);
  r.user_message_id = user_id;
  return r;
}

ReplyResult ChatSession::regenerate(int64_t assistant_message_id, const SamplingSettings& settings,
                                    const std::atomic<bool>& cancel, const ReplyCallbacks& callbacks) {
  Impl& s = *impl_;
  const Message m = s.store.message(assistant_message_id);
  if (m.conversation_id != s.conversation || m.role != Role::Assistant || !m.parent_id)
    throw Error(ErrorKind::Usage, "only a reply of this conversation can be regenerated");
  return s.reply(s.path_to(m.parent_id), false, settings, cancel, callbacks);
}

ReplyResult ChatSession::edit_and_resend(int64_t user_message_id, std::string_view new_text,
                                         const SamplingSettings& settings, const std::atomic<bool>& cancel,
                                         const ReplyCallbacks& callbacks) {
  Impl& s = *impl_;
  const Message m = s.store.message(user_message_id);
  if (m.conversation_id != s.conversation || m.role != Role::User)
    throw Error(ErrorKind::Usage, "only a message of yours in this conversation can be edited");
  if (new_text.empty()) throw Error(ErrorKind::Usage, "the message is empty");
  validate(settings);
  const int64_t edited = s.store.append_message(s.conversation, m.parent_id, Role::User, new_text);
  ReplyResult r = s.reply(s.path_to(edited), false, settings, cancel, callbacks);
  r.user_message_id = edited;
  return r;
}

ReplyResult ChatSession::continue_reply(int64_t assistant_message_id, const SamplingSettings& settings,
                                        const std::atomic<bool>& cancel, const ReplyCallbacks& callbacks) {
  Impl& s = *impl_;
  const Message m = s.store.message(assistant_message_id);
  if (m.conversation_id != s.conversation || m.role != Role::Assistant)
    throw Error(ErrorKind::Usage, "only a reply of this conversation can be continued");
  s.store.set_active_leaf(s.conversation, assistant_message_id);
  return s.reply(s.path_to(assistant_message_id), true, settings, cancel, callbacks);
}

ContextCounts ChatSession::context() const {
  return impl_->counts();
}
int64_t ChatSession::conversation_id() const {
  return impl_->conversation;
}

}  // namespace falcon
