#include "core/chat/stream_decoder.h"

#include <algorithm>

#include "core/tokenizer/unicode_util.h"

namespace falcon {
namespace {

// Tokens of a byte-level vocabulary may straddle characters for a while (small vocabularies
// split runs of CJK so that no token boundary meets a character boundary). Past this many ids
// without a clean boundary the window is closed anyway (its incomplete tail then shows as
// U+FFFD), so the per-push cost stays bounded.
constexpr size_t kMaxPendingIds = 64;
// The window is compacted once this many ids lie before the decoding context.
constexpr size_t kCompactAfter = 256;

bool ends_with_replacement(const std::string& s) {
  return s.size() >= 3 && s.compare(s.size() - 3, 3, "\xEF\xBF\xBD") == 0;
}

}  // namespace

StreamDecoder::StreamDecoder(const Tokenizer& tokenizer, std::vector<std::string> stop_strings,
                             bool skip_special)
    : tokenizer_(&tokenizer), skip_special_(skip_special) {
  for (auto& s : stop_strings) {
    if (!s.empty() && unicode::is_valid_utf8(s)) stops_.push_back({std::move(s), 0});
  }
}

void StreamDecoder::set_turn_markers(const std::vector<std::string>& markers) {
  for (const auto& m : markers) {
    if (m.empty() || !unicode::is_valid_utf8(m)) continue;
    stops_.push_back({"\n" + m, 0});
    // A sentence that ends right before the marker: its punctuation stays in the reply.
    for (const char* end : {".", "!", "?"}) {
      stops_.push_back({std::string(end) + " " + m, 1});
      stops_.push_back({std::string(end) + m, 1});
    }
  }
}

std::string StreamDecoder::push(int32_t id) {
  if (stopped_ || finished_) return {};
  ids_.push_back(id);
  if (skip_special_ && tokenizer_->is_special(id)) return {};
  window_.push_back(id);
  return release_held(take_safe_text(false), false);
}

std::string StreamDecoder::finish() {
  if (stopped_ || finished_) return {};
  std::string out = release_held(take_safe_text(true), true);
  finished_ = true;
  return out;
}

// Decodes window_[prefix_offset_, end) and returns the part not shown yet, up to the last
// complete character (everything when `flush`). When the decoded text ends on a complete
// character the window is closed: its newest ids become the context of the next one (a
// sentencepiece word needs the previous token to decode its leading space).
std::string StreamDecoder::take_safe_text(bool flush) {
  if (read_offset_ >= window_.size()) return {};
  const std::span<const int32_t> all(window_);
  const std::string text = tokenizer_->decode(all.subspan(prefix_offset_), skip_special_);
  const size_t pending = window_.size() - read_offset_;
  const bool clean = !ends_with_replacement(text);
  const bool close = clean || flush || pending >= kMaxPendingIds;
  size_t stable = text.size();
  if (!close) {
    while (ends_with_replacement(text.substr(0, stable))) stable -= 3;  // an unfinished character
  }
  std::string delta;
  if (stable > shown_in_window_) {
    size_t cut = shown_in_window_;
    while (cut < stable && (static_cast<uint8_t>(text[cut]) & 0xC0) == 0x80) ++cut;
    delta = text.substr(cut, stable - cut);
    shown_in_window_ = stable;
  }
  if (close) {
    prefix_offset_ = read_offset_;
    read_offset_ = window_.size();
    if (prefix_offset_ >= kCompactAfter) {
      window_.erase(window_.begin(), window_.begin() + static_cast<std::ptrdiff_t>(prefix_offset_));
      read_offset_ -= prefix_offset_;
      prefix_offset_ = 0;
    }
    const std::span<const int32_t> w(window_);
    shown_in_window_ =
        tokenizer_->decode(w.subspan(prefix_offset_, read_offset_ - prefix_offset_), skip_special_).size();
  }
  return delta;
}

// Adds `text` to the held-back text, detects a completed stop string, and returns what can be
// shown: everything except a trailing part that may still grow into a stop string (all of it
// when `flush`).
std::string StreamDecoder::release_held(std::string text, bool flush) {
  held_ += text;
  if (held_.empty()) return {};
  // Earliest stop string occurrence wins.
  size_t best = std::string::npos;
  const Stop* which = nullptr;
  for (const auto& s : stops_) {
    const size_t p = held_.find(s.text);
    if (p != std::string::npos && p < best) best = p, which = &s;
  }
  std::string out;
  if (which) {
    out = held_.substr(0, best + which->keep);
    matched_stop_ = which->text.substr(which->keep);
    stopped_ = true;
    held_.clear();
  } else if (flush) {
    out.swap(held_);
  } else {
    // Hold the longest suffix that is a proper prefix of a stop string. Stop strings are valid
    // UTF-8, so such a suffix always starts on a character boundary.
    size_t keep_from = held_.size();
    for (const auto& stop : stops_) {
      const std::string& s = stop.text;
      const size_t max_len = std::min(s.size() - 1, held_.size());
      for (size_t len = max_len; len > 0; --len) {
        if (held_.compare(held_.size() - len, len, s, 0, len) == 0) {
          keep_from = std::min(keep_from, held_.size() - len);
          break;
        }
      }
    }
    out = held_.substr(0, keep_from);
    held_.erase(0, keep_from);
  }
  emitted_ += out;
  return out;
}

}  // namespace falcon
