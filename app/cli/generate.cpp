// falcon-run's generation modes: --prompt / --prompt-tokens (raw), --chat [--system] (one turn
// through the chat template) and --db --conversation --chat (a stored conversation, through
// ChatSession: the app's own path). All stream text to stdout as it is generated.
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "app/cli/commands.h"
#include "app/engine/chat_session.h"
#include "core/chat/generator.h"
#include "core/common/error.h"
#include "core/model/evict_mode_name.h"

namespace falcon::cli {

namespace {

SamplingSettings sampling_from(const CliOptions& o) {
  SamplingSettings s;
  // The command line is for exact, scriptable runs: no penalty unless asked for, so --greedy is
  // the plain argmax that reference implementations compute.
  s.repeat_penalty = 1.0f;
  s.greedy = o.greedy;
  if (o.temperature) s.temperature = static_cast<float>(*o.temperature);
  if (o.top_k) s.top_k = *o.top_k;
  if (o.top_p) s.top_p = static_cast<float>(*o.top_p);
  if (o.min_p) s.min_p = static_cast<float>(*o.min_p);
  if (o.repeat_penalty) s.repeat_penalty = static_cast<float>(*o.repeat_penalty);
  s.seed = o.seed;
  s.max_new_tokens = o.max_new_tokens;
  if (const std::string problem = s.validate(); !problem.empty()) throw Error(ErrorKind::Usage, problem);
  return s;
}

// For checkpoints used by token ids alone (no tokenizer files): generated ids make no text, and
// eos comes from the model's config.
class IdOnlyTokenizer final : public Tokenizer {
 public:
  explicit IdOnlyTokenizer(const ModelConfig& c) : vocab_(c.vocab_size) {
    specials_.eos = c.eos_token_id;
    specials_.bos = c.bos_token_id;
  }
  std::vector<int32_t> encode(std::string_view, bool) const override {
    throw Error(ErrorKind::Load, "the model folder has no tokenizer (tokenizer.json or tokenizer.model)");
  }
  std::string decode(std::span<const int32_t>, bool) const override { return {}; }
  int32_t vocab_size() const override { return vocab_; }
  std::optional<int32_t> token_to_id(std::string_view) const override { return std::nullopt; }
  bool is_special(int32_t) const override { return false; }
  std::string describe() const override { return "none (token ids only)"; }

 private:
  int32_t vocab_;
};

bool write_text(std::string_view piece) {
  std::fwrite(piece.data(), 1, piece.size(), stdout);
  std::fflush(stdout);
  return true;
}

// Ends the streamed text's line now, not at exit: notes and errors go to stderr right after, and
// where both streams go to one file they must follow the line, not run on from it.
void end_text_line() {
  std::fputc('\n', stdout);
  std::fflush(stdout);
}

void print_ids(const std::vector<int32_t>& ids) {
  std::string line;
  for (size_t i = 0; i < ids.size(); ++i) line += (i ? " " : "") + std::to_string(ids[i]);
  std::printf("%s\n", line.c_str());
}

// Writes logits rows to FILE as float32 little-endian, holding the newest row back: the row
// after the last generated token predicts a token that is not part of the sequence, so the
// file gets prompt_len + generated - 1 rows, as the contract says.
class LogitsDump {
 public:
  explicit LogitsDump(const std::string& path) : out_(path, std::ios::binary | std::ios::trunc) {
    if (!out_) throw Error(ErrorKind::Usage, "--dump-logits: cannot write '" + path + "'");
  }
  void row(std::span<const float> r) {
    if (!held_.empty()) write(held_);
    held_.assign(r.begin(), r.end());
  }
  // When the last sampled token was not forwarded (eos, stop string), the held row did predict
  // it and belongs to the sequence.
  void finish(bool last_token_was_forwarded) {
    if (!last_token_was_forwarded && !held_.empty()) write(held_);
    out_.flush();
    if (!out_) throw Error(ErrorKind::Other, "--dump-logits: write failed (disk full?)");
  }

 private:
  void write(const std::vector<float>& r) {
    out_.write(reinterpret_cast<const char*>(r.data()),
               static_cast<std::streamsize>(r.size() * sizeof(float)));
  }
  std::ofstream out_;
  std::vector<float> held_;
};

int finish_generation(const GenerationResult& r, const CliOptions& o, std::vector<int32_t> sampled) {
  end_text_line();
  if (o.print_tokens) print_ids(sampled);
  if (r.reason == StopReason::Error) throw Error(r.error_kind, r.error);
  return 0;
}

// --evict (CLI11 admits only the two names; a library caller gets Error(Usage) for others).
EvictMode evict_mode_of(const CliOptions& o) {
  if (const auto mode = evict_mode_from_name(o.evict)) return *mode;
  throw Error(ErrorKind::Usage, "--evict takes exact or shift, not '" + o.evict + "'");
}

}  // namespace

void check_generation_options(const CliOptions& o) {
  const int inputs = (o.prompt ? 1 : 0) + (o.prompt_tokens ? 1 : 0) + (o.chat ? 1 : 0);
  if (inputs != 1) throw Error(ErrorKind::Usage, "give exactly one of --prompt, --prompt-tokens or --chat");
  if (o.system && !o.chat) throw Error(ErrorKind::Usage, "--system goes with --chat");
  if (o.chat && o.chat->find_first_not_of(" \t\r\n\f\v") == std::string::npos)
    throw Error(ErrorKind::Usage, "--chat: the message is empty");
  if ((o.db || o.conversation) && (!o.db || !o.conversation || !o.chat)) {
    throw Error(ErrorKind::Usage, "--db PATH --conversation ID --chat TEXT go together");
  }
  sampling_from(o);  // invalid sampling settings are usage errors, before anything is loaded
  // --greedy always takes the most likely token: name the sampling options it leaves without
  // effect, so that a run meant to sample is not mistaken for one that did.
  if (!o.greedy) return;
  std::vector<std::string> ignored;
  if (o.temperature && *o.temperature > 0) ignored.push_back("--temperature");
  if (o.top_k && *o.top_k > 0) ignored.push_back("--top-k");
  if (o.top_p && *o.top_p < 1) ignored.push_back("--top-p");
  if (o.min_p && *o.min_p > 0) ignored.push_back("--min-p");
  if (ignored.empty()) return;
  std::string names;
  for (size_t i = 0; i < ignored.size(); ++i)
    names += (i == 0 ? "" : i + 1 == ignored.size() ? " and " : ", ") + ignored[i];
  std::fprintf(stderr, "falcon-run: --greedy always takes the most likely token: %s %s no effect\n",
               names.c_str(), ignored.size() == 1 ? "has" : "have");
}

GenerationRequest build_request(const CliOptions& o, const Tokenizer* tokenizer, int vocab_size) {
  GenerationRequest request;
  if (o.prompt_tokens) {
    request.tokens = parse_token_list(*o.prompt_tokens, "--prompt-tokens");
  } else if (!tokenizer) {
    throw Error(ErrorKind::Load, "the model folder has no tokenizer (tokenizer.json or tokenizer.model)");
  } else if (o.prompt) {
    if (tokenizer->specials().add_bos && tokenizer->specials().bos >= 0)
      request.tokens.push_back(tokenizer->specials().bos);
    const auto ids = tokenizer->encode(*o.prompt);
    request.tokens.insert(request.tokens.end(), ids.begin(), ids.end());
  } else {
    std::vector<ChatMessage> messages;
    if (o.system && !o.system->empty()) messages.push_back({Role::System, *o.system});
    messages.push_back({Role::User, *o.chat});
    request = GenerationRequest::from_chat(
        chat_template_for(o.model_dir).tokenize(*tokenizer, messages, true), true);
  }
  if (request.tokens.empty()) throw Error(ErrorKind::Usage, "the prompt is empty");
  for (int32_t id : request.tokens) {
    if (vocab_size > 0 && id >= vocab_size) {
      throw Error(ErrorKind::Usage, "--prompt-tokens: id " + std::to_string(id) +
                                        " is outside the vocabulary (size " + std::to_string(vocab_size) +
                                        ")");
    }
  }
  return request;
}

int run_generation(OpenedModel& model, const GenerationRequest& request, const CliOptions& o) {
  Backend& backend = *model.backend;
  SamplingSettings settings = sampling_from(o);
  if (o.chat) {
    const ChatTemplate t = chat_template_for(o.model_dir);
    settings.stop_strings = t.stop_strings();
    settings.turn_markers = t.turn_markers();
  }

  KvWindowOptions wo;
  wo.evict_mode = evict_mode_of(o);
  const int room = backend.cache_capacity() - request.pin;
  if (o.window) {
    if (*o.window < 1) throw Error(ErrorKind::Usage, "--window must be at least 1");
    wo.window = std::min(*o.window, std::max(1, room));
  } else {
    wo.window = std::max(1, room);  // no window given: the whole cache
  }
  KvWindow window(wo);
  Sampler sampler(settings);
  const IdOnlyTokenizer ids_only(backend.config());
  GeneratorOptions go;
  go.ignore_eos = o.ignore_eos;
  Generator generator(backend, model.tokenizer ? *model.tokenizer : static_cast<const Tokenizer&>(ids_only),
                      window, go);

  std::optional<LogitsDump> dump;
  if (o.dump_logits) dump.emplace(*o.dump_logits);
  std::vector<int32_t> sampled;
  GenerationCallbacks cb;
  cb.on_token = [&](int32_t id) {
    sampled.push_back(id);
    return true;
  };
  if (model.tokenizer) cb.on_text = write_text;
  if (dump) cb.on_logits = [&](std::span<const float> row) { dump->row(row); };
  const GenerationResult r = generator.generate(request, sampler, cb);
  if (dump) dump->finish(r.reason == StopReason::Length || r.reason == StopReason::Cancelled);
  return finish_generation(r, o, sampled);
}

int run_db_chat(OpenedModel& model, const CliOptions& o) {
  if (!model.tokenizer)
    throw Error(ErrorKind::Load, "the model folder has no tokenizer (tokenizer.json or tokenizer.model)");
  const SamplingSettings settings = sampling_from(o);
  ConversationStore store(*o.db);
  int64_t id = 0;
  try {
    size_t used = 0;
    id = std::stoll(*o.conversation, &used);
    if (used != o.conversation->size() || id <= 0) throw std::invalid_argument("id");
  } catch (const std::exception&) {
    throw Error(ErrorKind::Usage, "--conversation takes a positive number, not '" + *o.conversation + "'");
  }
  const std::string fingerprint = model_fingerprint(o.model_dir);
  bool exists = true;
  try {
    store.conversation(id);
  } catch (const Error&) {
    exists = false;
  }
  if (!exists) {
    NewConversation c;
    // Title: the first 60 bytes of the message, cut at a character boundary (valid UTF-8).
    size_t cut = std::min<size_t>(o.chat->size(), 60);
    while (cut > 0 && cut < o.chat->size() && (static_cast<unsigned char>((*o.chat)[cut]) & 0xC0) == 0x80)
      --cut;
    c.title = o.chat->substr(0, cut);
    c.system_prompt = o.system.value_or("");
    c.model_path = o.model_dir;
    c.model_fingerprint = fingerprint;
    c.weights_format = o.weights;
    if (o.window) c.window_size = *o.window;
    const int64_t created = store.create_conversation(c);
    if (created != id) {
      std::fprintf(stderr, "falcon-run: conversation %lld did not exist; created it as %lld\n",
                   static_cast<long long>(id), static_cast<long long>(created));
      id = created;
    }
  } else {
    if (o.system) store.set_system_prompt(id, *o.system);
    if (o.window) store.set_window_size(id, *o.window);
  }
  ChatSessionOptions so;
  so.model_fingerprint = fingerprint;
  so.model_name = reply_model_name(o.model_dir, model.backend->memory().weight_format);
  so.evict_mode = evict_mode_of(o);
  const ChatTemplate chat_template = chat_template_for(o.model_dir);
  ChatSession session(store, id, *model.backend, *model.tokenizer, chat_template, so);
  const std::atomic<bool> cancel{false};
  const std::string notice = session.resume(cancel);
  if (!notice.empty()) std::fprintf(stderr, "falcon-run: %s\n", notice.c_str());
  SamplingSettings with_stops = settings;
  with_stops.stop_strings = chat_template.stop_strings();
  with_stops.turn_markers = chat_template.turn_markers();
  ReplyCallbacks cb;
  cb.on_text = write_text;
  const ReplyResult r = session.send(*o.chat, with_stops, cancel, cb);
  end_text_line();
  const ContextCounts c = r.context;
  std::fprintf(
      stderr,
      "falcon-run: conversation %lld, reply %lld saved; context: %lld pinned, %lld recent, %lld evicted\n",
      static_cast<long long>(id), static_cast<long long>(r.assistant_message_id),
      static_cast<long long>(c.pinned), static_cast<long long>(c.recent), static_cast<long long>(c.evicted));
  return 0;
}

}  // namespace falcon::cli
