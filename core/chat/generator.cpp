#include "core/chat/generator.h"

#include <algorithm>
#include <chrono>
#include <new>

#include "core/chat/stream_decoder.h"
#include "core/common/error.h"

namespace falcon {

namespace {

using Clock = std::chrono::steady_clock;

double ms_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

bool cancelled(const std::atomic<bool>* cancel) {
  return cancel && cancel->load(std::memory_order_relaxed);
}

// Looking further back than this for the end of the shown text is not worth the decodes: a
// stop string spans a handful of tokens.
constexpr size_t kMaxRollback = 64;

}  // namespace

GenerationRequest GenerationRequest::from_chat(const ChatTokens& chat, bool pin_system) {
  GenerationRequest r;
  r.tokens = chat.tokens;
  r.pin = pin_system ? static_cast<int>(chat.system_tokens) : 0;
  for (const auto& seg : chat.segments) {
    const int begin = static_cast<int>(seg.begin);
    if (begin < r.pin || begin >= static_cast<int>(r.tokens.size()) || seg.end == seg.begin) continue;
    if (r.turn_starts.empty() || r.turn_starts.back() < begin) r.turn_starts.push_back(begin);
  }
  return r;
}

Generator::Generator(Backend& backend, const Tokenizer& tokenizer, KvWindow& window, GeneratorOptions options)
    : backend_(backend), tokenizer_(tokenizer), window_(window), options_(options) {
  options_.prefill_piece = std::max(1, options_.prefill_piece);
}

bool Generator::is_eos(int32_t id) const {
  if (options_.ignore_eos) return false;
  const int32_t tok_eos = tokenizer_.specials().eos;
  const int32_t cfg_eos = backend_.config().eos_token_id;
  return (tok_eos >= 0 && id == tok_eos) || (cfg_eos >= 0 && id == cfg_eos);
}

size_t Generator::shown_token_count(std::span<const int32_t> forwarded, const std::string& shown) const {
  // Not a binary search: a prefix ending inside a multi-byte character decodes to U+FFFD, so
  // "decodes to a prefix of the shown text" is not monotone in the prefix length.
  const size_t lowest = forwarded.size() > kMaxRollback ? forwarded.size() - kMaxRollback : 0;
  for (size_t j = forwarded.size();; --j) {
    const std::string text = tokenizer_.decode(forwarded.first(j), /*skip_special=*/true);
    if (shown.compare(0, text.size(), text) == 0 && text.size() <= shown.size()) return j;
    if (j == lowest) return forwarded.size();  // nothing found: keep everything
  }
}

GenerationResult Generator::generate(const GenerationRequest& request, Sampler& sampler,
                                     const GenerationCallbacks& callbacks, const std::atomic<bool>* cancel) {
  GenerationResult res;
  GenerationMetrics& st = res.stats;
  const SamplingSettings& settings = sampler.settings();
  const auto t_start = Clock::now();
  auto t_prefill_end = t_start;
  auto t_first = t_start;
  const int64_t evictions_before = window_.evictions();

  try {
    // ---- validate the request ----
    const int n = static_cast<int>(request.tokens.size());
    if (n == 0) throw_usage_error("nothing to generate from: the request holds no tokens");
    if (request.pin < 0 || request.pin > n)
      throw_usage_error("request pins " + std::to_string(request.pin) + " tokens of " + std::to_string(n));
    if (request.pin > 0 && window_.recent() > 0)
      throw_usage_error("a system prompt can only be pinned at the start of a conversation's context");
    for (size_t i = 0; i < request.turn_starts.size(); ++i) {
      const int s = request.turn_starts[i];
      if (s < 0 || s >= n || (i > 0 && s <= request.turn_starts[i - 1]))
        throw_usage_error("request turn start " + std::to_string(s) +
                          " is out of order or outside its tokens");
    }
    const int vocab = backend_.config().vocab_size;
    for (int32_t id : request.tokens)
      if (id < 0 || id >= vocab)
        throw_usage_error("token id " + std::to_string(id) + " is outside the model's vocabulary of " +
                          std::to_string(vocab));

    // ---- prefill, in pieces; a piece never crosses the pinned edge or a turn start ----
    auto next_turn = request.turn_starts.begin();
    int pos = 0;
    while (pos < n) {
      if (cancelled(cancel)) {
        res.reason = StopReason::Cancelled;
        break;
      }
      const bool pin = pos < request.pin;
      while (next_turn != request.turn_starts.end() && *next_turn < pos) ++next_turn;
      if (!pin && next_turn != request.turn_starts.end() && *next_turn == pos) {
        window_.begin_turn();
        ++next_turn;
      }
      int end = pin ? request.pin : n;
      if (!pin && next_turn != request.turn_starts.end()) end = std::min(end, *next_turn);
      const int want = std::min(options_.prefill_piece, end - pos);
      const int take = window_.prepare(backend_, want, pin);
      const auto part = std::span<const int32_t>(request.tokens)
                            .subspan(static_cast<size_t>(pos), static_cast<size_t>(take));
      if (callbacks.on_logits) {
        backend_.forward(part, true, rows_);
        const size_t row = static_cast<size_t>(vocab);
        for (size_t r = 0; r < part.size(); ++r)
          callbacks.on_logits(std::span<const float>(rows_).subspan(r * row, row));
        logits_.assign(rows_.end() - static_cast<std::ptrdiff_t>(row), rows_.end());
      } else {
        backend_.forward(part, false, logits_);
      }
      window_.commit(part, pin);
      pos += take;
      res.prompt_tokens_done = pos;
    }
    st.prompt_tokens = res.prompt_tokens_done;
    t_prefill_end = Clock::now();
    t_first = t_prefill_end;

    // ---- decode ----
    if (res.reason == StopReason::None) {
      StreamDecoder decoder(tokenizer_, settings.stop_strings);
      decoder.set_turn_markers(settings.turn_markers);
      std::vector<int32_t>& reply = res.tokens;  // forwarded reply tokens
      // The logits the next token is drawn from: the prefill's last row, then each step's
      // (Backend::forward_last: possibly the backend's own memory, valid until its next call).
      std::span<const float> last = logits_;
      std::span<const float> maxima;  // the backend's block maxima of `last`, where it has them
      for (;;) {
        if (st.generated_tokens >= settings.max_new_tokens) {
          res.reason = StopReason::Length;
          break;
        }
        if (cancelled(cancel)) {
          res.reason = StopReason::Cancelled;
          break;
        }
        const int32_t id = sampler.sample(last, window_.tokens(), maxima);
        if (st.generated_tokens++ == 0) {
          t_first = Clock::now();
          st.ttft_ms = ms_between(t_start, t_first);
        }
        if (callbacks.on_token && !callbacks.on_token(id)) {
          res.reason = StopReason::Cancelled;
          break;
        }
        if (is_eos(id)) {
          res.reason = StopReason::Eos;
          break;
        }
        const std::string piece = decoder.push(id);
        bool keep_going = true;
        if (!piece.empty()) {
          res.text += piece;
          if (callbacks.on_text) keep_going = callbacks.on_text(piece);
        }
        if (decoder.stopped()) {
          res.reason = StopReason::StopString;
          break;
        }
        // The window evicts first when one more token would exceed its budget.
        window_.prepare(backend_, 1);
        last = backend_.forward_last(std::span<const int32_t>(&id, 1), logits_);
        maxima = backend_.last_block_maxima();
        window_.commit(std::span<const int32_t>(&id, 1));
        if (callbacks.on_logits) callbacks.on_logits(last);
        ++st.decode_steps;
        reply.push_back(id);
        if (!keep_going) {
          res.reason = StopReason::Cancelled;
          break;
        }
      }
      if (res.reason == StopReason::StopString) {
        // Drop the tokens whose text was held back as the stop string's beginning, so that the
        // cache ends with exactly the shown reply (when they are still in the cache).
        const size_t keep = shown_token_count(reply, decoder.text());
        const int drop = static_cast<int>(reply.size() - keep);
        if (drop > 0 && drop <= window_.recent()) {
          window_.truncate(backend_, window_.size() - drop);
          reply.resize(keep);
        }
      } else {
        const std::string tail = decoder.finish();
        if (!tail.empty()) {
          res.text += tail;
          if (callbacks.on_text) callbacks.on_text(tail);
        }
      }
    }
  } catch (const Error& e) {
    res.reason = StopReason::Error;
    res.error = e.what();
    res.error_kind = e.kind();
  } catch (const std::bad_alloc&) {
    res.reason = StopReason::Error;
    res.error = "out of memory during generation";
    res.error_kind = ErrorKind::OutOfMemory;
  } catch (const std::exception& e) {
    res.reason = StopReason::Error;
    res.error = e.what();
    res.error_kind = ErrorKind::Other;
  }

  const auto t_end = Clock::now();
  if (st.prompt_tokens == 0) st.prompt_tokens = res.prompt_tokens_done;
  if (t_prefill_end == t_start) t_prefill_end = t_end;  // ended inside the prefill
  st.prefill_ms = ms_between(t_start, t_prefill_end);
  st.decode_ms = st.generated_tokens > 0 ? ms_between(t_first, t_end) : 0.0;
  if (st.prefill_ms > 0) st.prefill_tokens_per_s = st.prompt_tokens / (st.prefill_ms / 1000.0);
  if (st.decode_ms > 0) st.decode_tokens_per_s = st.decode_steps / (st.decode_ms / 1000.0);
  st.evictions = window_.evictions() - evictions_before;
  return res;
}

}  // namespace falcon
