#include "core/tokenizer/sentencepiece_tokenizer.h"

#include <sentencepiece_processor.h>

#include <fstream>
#include <sstream>

#include "core/common/error.h"
#include "core/common/file_read.h"
#include "core/tokenizer/unicode_util.h"

namespace falcon {

SentencePieceTokenizer::SentencePieceTokenizer()
    : sp_(std::make_unique<sentencepiece::SentencePieceProcessor>()) {}
SentencePieceTokenizer::~SentencePieceTokenizer() = default;

std::unique_ptr<SentencePieceTokenizer> SentencePieceTokenizer::from_file(const std::filesystem::path& path) {
  const std::string proto = read_file_bounded(path, kMaxTokenizerFileBytes);
  try {
    return from_serialized(proto);
  } catch (const Error& e) {
    throw Error(e.kind(), path.string() + ": " + e.what());
  }
}

std::unique_ptr<SentencePieceTokenizer> SentencePieceTokenizer::from_serialized(std::string_view proto) {
  std::unique_ptr<SentencePieceTokenizer> tok(new SentencePieceTokenizer());
  const auto status = tok->sp_->LoadFromSerializedProto(absl::string_view(proto.data(), proto.size()));
  if (!status.ok()) throw_load_error("not a valid sentencepiece model (" + status.ToString() + ")");
  if (tok->sp_->GetPieceSize() <= 0) throw_load_error("the sentencepiece model has no pieces");
  tok->specials_.bos = tok->sp_->bos_id();
  tok->specials_.eos = tok->sp_->eos_id();
  tok->specials_.pad = tok->sp_->pad_id();
  tok->specials_.add_bos = tok->specials_.bos >= 0;
  return tok;
}

std::vector<int32_t> SentencePieceTokenizer::encode(std::string_view text, bool /*parse_special*/) const {
  // The library wants valid UTF-8; invalid input becomes U+FFFD first, as BpeTokenizer does.
  const std::string valid = unicode::to_valid_utf8(text);
  std::vector<int> ids;
  const auto status = sp_->Encode(absl::string_view(valid.data(), valid.size()), &ids);
  if (!status.ok()) throw Error(ErrorKind::Other, "sentencepiece encode failed: " + status.ToString());
  return std::vector<int32_t>(ids.begin(), ids.end());
}

std::string SentencePieceTokenizer::decode(std::span<const int32_t> ids, bool skip_special) const {
  std::vector<int> valid;
  valid.reserve(ids.size());
  const int n = sp_->GetPieceSize();
  for (int32_t id : ids) {
    if (id < 0 || id >= n) continue;
    if (skip_special && sp_->IsControl(id)) continue;
    valid.push_back(id);
  }
  std::string out;
  const auto status = sp_->Decode(valid, &out);
  if (!status.ok()) throw Error(ErrorKind::Other, "sentencepiece decode failed: " + status.ToString());
  return out;
}

int32_t SentencePieceTokenizer::vocab_size() const {
  return sp_->GetPieceSize();
}

std::optional<int32_t> SentencePieceTokenizer::token_to_id(std::string_view token) const {
  const int id = sp_->PieceToId(absl::string_view(token.data(), token.size()));
  // PieceToId answers unk_id for unknown pieces; only a real match counts.
  if (id < 0 || (id == sp_->unk_id() && sp_->IdToPiece(id) != token)) return std::nullopt;
  return id;
}

bool SentencePieceTokenizer::is_special(int32_t id) const {
  return id >= 0 && id < sp_->GetPieceSize() && sp_->IsControl(id);
}

std::string SentencePieceTokenizer::id_to_piece(int32_t id) const {
  if (id < 0 || id >= sp_->GetPieceSize()) return {};
  return sp_->IdToPiece(id);
}

}  // namespace falcon
