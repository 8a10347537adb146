#pragma once
// StreamDecoder: turns generated ids, one at a time, into text that is safe to show.
//
// Guarantees (tests/core/test_stream_decoder.cpp checks each):
//  - every piece returned by push()/finish() is valid UTF-8 (a character split over several
//    byte-fallback / byte-level tokens is held until it is complete);
//  - without stop strings, the concatenation of all pieces equals
//    tokenizer.decode(all ids, skip_special);
//  - a stop string is detected even when it spans token boundaries; the text before it is
//    emitted, the stop string itself and anything after it never are;
//  - text that might be the beginning of a stop string is held back until it is known not to be;
//  - a turn marker (set_turn_markers, e.g. "User:") stops the stream when it starts a line or
//    follows a sentence's . ! or ? (with or without one space); the punctuation is shown.
// One limit: after 64 ids in a row that never end on a complete character (a model emitting
// invalid byte runs), the decoder shows what it has; if that cut falls inside a byte run, the
// number of U+FFFD shown may differ from decode() of the whole reply.
// Cost per push is O(window + longest stop string): only a short trailing window of ids is
// decoded, never the whole reply.
#include <cstdint>
#include <string>
#include <vector>

#include "core/tokenizer/tokenizer.h"

namespace falcon {

class StreamDecoder {
 public:
  // `tokenizer` must outlive the decoder. Empty stop strings are ignored. With skip_special,
  // special tokens (eos, <|endoftext|>, ...) contribute no text, as decode(ids, true) does.
  StreamDecoder(const Tokenizer& tokenizer, std::vector<std::string> stop_strings, bool skip_special = true);

  // Role labels that end the turn at a line start or right after a sentence (see above). Call
  // before the first push(). Empty or invalid markers are ignored.
  void set_turn_markers(const std::vector<std::string>& markers);

  // Feeds one generated id; returns the text that became safe to show (often empty).
  // After stopped() is true, further ids are ignored and "" is returned.
  std::string push(int32_t id);

  // True once a stop string has been completed by the text so far.
  bool stopped() const { return stopped_; }

  // End of generation: returns what was held back (an unfinished UTF-8 sequence becomes
  // U+FFFD, as the tokenizer's decode writes it; a partial stop string is shown, since it
  // never completed). Returns "" when stopped(). Idempotent.
  std::string finish();

  // Everything emitted so far (the concatenation of all returned pieces).
  const std::string& text() const { return emitted_; }

  // Which stop string ended the stream ("" when none did); for a turn marker, the marker and
  // what preceded it that was not shown ("\nUser:", " User:").
  const std::string& matched_stop() const { return matched_stop_; }

  // The ids pushed so far (including those after which nothing was emitted yet).
  const std::vector<int32_t>& ids() const { return ids_; }

 private:
  std::string take_safe_text(bool flush);
  std::string release_held(std::string text, bool flush);

  // A text that ends the stream; its first `keep` bytes are still shown (". User:" keeps ".").
  struct Stop {
    std::string text;
    size_t keep = 0;
  };

  const Tokenizer* tokenizer_;
  std::vector<Stop> stops_;
  bool skip_special_;
  std::vector<int32_t> ids_;     // every id pushed
  std::vector<int32_t> window_;  // the ids that make text (specials dropped when skip_special)
  size_t prefix_offset_ = 0;     // window_[prefix_offset_, read_offset_): context, already shown
  size_t read_offset_ = 0;       // window_[read_offset_, end): since the last clean boundary
  size_t shown_in_window_ = 0;   // bytes of decode(window_[prefix_offset_, end)) already shown
  std::string held_;             // decoded text not emitted yet: a possible stop-string start
  std::string emitted_;
  std::string matched_stop_;
  bool stopped_ = false;
  bool finished_ = false;
};

}  // namespace falcon
