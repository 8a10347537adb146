#include <chrono>

#include "core/store/conversation_store.h"

namespace falcon {

PartialWriter::PartialWriter(ConversationStore& store, int64_t message_id, std::function<int64_t()> clock)
    : store_(store), id_(message_id), clock_(std::move(clock)) {
  if (!clock_) {
    clock_ = [] {
      using namespace std::chrono;
      return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
    };
  }
  last_write_ms_ = clock_();  // begin_assistant_reply() was the first write
}

bool PartialWriter::append(std::string_view piece, int64_t new_tokens) {
  if (finished_) {
    throw StoreError(StoreErrorCode::InvalidArgument,
                     "conversation store: append after finish on message " + std::to_string(id_));
  }
  text_.append(piece);
  tokens_ += new_tokens;
  int64_t now = clock_();
  if (now - last_write_ms_ >= kFlushIntervalMs || tokens_ - written_tokens_ >= kFlushTokens) return flush();
  return false;
}

bool PartialWriter::flush() {
  if (finished_ || (tokens_ == written_tokens_ && text_.size() == written_bytes_)) return false;
  store_.update_partial(id_, text_, tokens_);
  written_tokens_ = tokens_;
  written_bytes_ = text_.size();
  last_write_ms_ = clock_();
  ++writes_;
  return true;
}

void PartialWriter::finish(const GenerationStats& stats) {
  if (finished_) return;
  store_.finish_reply(id_, text_, tokens_, stats);
  finished_ = true;
  ++writes_;
}

}  // namespace falcon
