#include "core/chat/stream_decoder.h"

#include <algorithm>

#include "core/tokenizer/unicode_util.h"

namespace falcon {
namespace {

// A character split over byte tokens needs at most 4 of them; past this many ids without a
// complete character the text (with its U+FFFD) is shown anyway, so a model that emits an
// invalid byte run cannot stall the stream.
constexpr size_t kMaxPendingIds = 8;
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
    if (!s.empty() && unicode::is_valid_utf8(s)) stops_.push_back(std::move(s));
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

// Decodes window_[prefix_offset_, end) and returns what it adds to window_[prefix_offset_,
// read_offset_), once that addition ends on a complete character (or `flush`).
std::string StreamDecoder::take_safe_text(bool flush) {
  if (read_offset_ >= window_.size()) return {};
  const std::span<const int32_t> all(window_);
  const std::string prefix_text =
      tokenizer_->decode(all.subspan(prefix_offset_, read_offset_ - prefix_offset_), skip_special_);
  const std::string new_text = tokenizer_->decode(all.subspan(prefix_offset_), skip_special_);
  const size_t pending = window_.size() - read_offset_;
  // Wait while the newest character is incomplete (decode shows it as U+FFFD).
  if (!flush && ends_with_replacement(new_text) && pending < kMaxPendingIds) return {};
  if (new_text.size() <= prefix_text.size() && !flush && pending < kMaxPendingIds) return {};
  // Normally new_text extends prefix_text. Should a decoder ever rewrite the context, already
  // shown text cannot be taken back: emit what lies past the old length, from a character start.
  size_t cut = prefix_text.size();
  while (cut < new_text.size() && (static_cast<uint8_t>(new_text[cut]) & 0xC0) == 0x80) ++cut;
  std::string delta = cut < new_text.size() ? new_text.substr(cut) : std::string();
  prefix_offset_ = read_offset_;
  read_offset_ = window_.size();
  if (prefix_offset_ >= kCompactAfter) {
    window_.erase(window_.begin(), window_.begin() + static_cast<std::ptrdiff_t>(prefix_offset_));
    read_offset_ -= prefix_offset_;
    prefix_offset_ = 0;
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
  const std::string* which = nullptr;
  for (const auto& s : stops_) {
    const size_t p = held_.find(s);
    if (p != std::string::npos && p < best) best = p, which = &s;
  }
  std::string out;
  if (which) {
    out = held_.substr(0, best);
    matched_stop_ = *which;
    stopped_ = true;
    held_.clear();
  } else if (flush) {
    out.swap(held_);
  } else {
    // Hold the longest suffix that is a proper prefix of a stop string. Stop strings are valid
    // UTF-8, so such a suffix always starts on a character boundary.
    size_t keep_from = held_.size();
    for (const auto& s : stops_) {
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
