#include "core/tokenizer/bpe_model.h"

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "core/common/error.h"
#include "core/tokenizer/unicode_util.h"

namespace falcon {
namespace {

constexpr size_t kCacheCapacity = 200'000;  // words; beyond it new words are not cached
constexpr size_t kCacheMaxWordBytes = 256;  // long words are rare and not worth caching

uint64_t pair_key(int32_t a, int32_t b) {
  return (static_cast<uint64_t>(static_cast<uint32_t>(a)) << 32) | static_cast<uint32_t>(b);
}

}  // namespace

BpeModel::BpeModel(const nlohmann::json& m) {
  const std::string where = "tokenizer.json: model";
  if (m.contains("dropout") && !m["dropout"].is_null()) {
    if (!m["dropout"].is_number() || m["dropout"].get<double>() != 0.0) {
      throw_load_error(where + ".dropout is set: BPE dropout (random segmentation) is not supported");
    }
  }
  auto str_opt = [&](const char* key) -> std::string {
    if (!m.contains(key) || m[key].is_null()) return {};
    if (!m[key].is_string()) throw_load_error(where + "." + key + " must be a string");
    return m[key].get<std::string>();
  };
  prefix_ = str_opt("continuing_subword_prefix");
  suffix_ = str_opt("end_of_word_suffix");
  const std::string unk = str_opt("unk_token");
  auto flag = [&](const char* key) {
    if (!m.contains(key) || m[key].is_null()) return false;
    if (!m[key].is_boolean()) throw_load_error(where + "." + key + " must be true or false");
    return m[key].get<bool>();
  };
  fuse_unk_ = flag("fuse_unk");
  byte_fallback_ = flag("byte_fallback");
  ignore_merges_ = flag("ignore_merges");

  if (!m.contains("vocab") || !m["vocab"].is_object()) throw_load_error(where + ".vocab must be an object");
  const auto& vocab = m["vocab"];
  // Ids are dense in every real vocab; bound them so that a corrupt file cannot make us
  // allocate gigabytes.
  const int64_t id_bound = static_cast<int64_t>(vocab.size()) * 4 + 1024;
  vocab_.reserve(vocab.size());
  for (auto it = vocab.begin(); it != vocab.end(); ++it) {
    if (!it.value().is_number_integer())
      throw_load_error(where + ".vocab['" + it.key() + "'] must be an integer id");
    const int64_t id = it.value().get<int64_t>();
    if (id < 0 || id >= id_bound) {
      throw_load_error(where + ".vocab['" + it.key() + "'] has id " + std::to_string(id) + ", outside 0.." +
                       std::to_string(id_bound - 1));
    }
    if (!unicode::is_valid_utf8(it.key()))
      throw_load_error(where + ".vocab has a token that is not valid UTF-8");
    vocab_[it.key()] = static_cast<int32_t>(id);
    if (static_cast<size_t>(id) >= id_to_token_.size()) {
      id_to_token_.resize(static_cast<size_t>(id) + 1);
      has_token_.resize(static_cast<size_t>(id) + 1, false);
    }
    id_to_token_[static_cast<size_t>(id)] = it.key();
    has_token_[static_cast<size_t>(id)] = true;
  }
  if (!unk.empty()) {
    auto u = vocab_.find(unk);
    if (u == vocab_.end()) throw_load_error(where + ".unk_token '" + unk + "' is not in the vocab");
    unk_id_ = u->second;
  }
  for (int b = 0; b < 256; ++b) {
    char name[8];
    std::snprintf(name, sizeof name, "<0x%02X>", b);
    auto it = vocab_.find(std::string_view(name));
    byte_ids_[b] = it == vocab_.end() ? -1 : it->second;
  }

  if (!m.contains("merges") || !m["merges"].is_array()) throw_load_error(where + ".merges must be a list");
  const auto& merges = m["merges"];
  merges_.reserve(merges.size());
  for (size_t rank = 0; rank < merges.size(); ++rank) {
    const auto& e = merges[rank];
    std::string a, b;
    if (e.is_string()) {  // legacy "a b"
      const std::string s = e.get<std::string>();
      const size_t sp = s.find(' ');
      if (sp == std::string::npos || s.find(' ', sp + 1) != std::string::npos) {
        throw_load_error(where + ".merges[" + std::to_string(rank) + "] '" + s + "' is not two tokens 'a b'");
      }
      a = s.substr(0, sp);
      b = s.substr(sp + 1);
    } else if (e.is_array() && e.size() == 2 && e[0].is_string() && e[1].is_string()) {
      a = e[0].get<std::string>();
      b = e[1].get<std::string>();
    } else {
      throw_load_error(where + ".merges[" + std::to_string(rank) + "] must be \"a b\" or [\"a\", \"b\"]");
    }
    auto ia = vocab_.find(a), ib = vocab_.find(b);
    if (ia == vocab_.end() || ib == vocab_.end()) {
      throw_load_error(where + ".merges[" + std::to_string(rank) +
                       "] uses a token missing from the vocab ('" + (ia == vocab_.end() ? a : b) + "')");
    }
    // The merged token drops the right side's continuing_subword_prefix.
    std::string merged = a;
    merged += (!prefix_.empty() && b.compare(0, prefix_.size(), prefix_) == 0) ? b.substr(prefix_.size()) : b;
    auto im = vocab_.find(merged);
    if (im == vocab_.end()) {
      throw_load_error(where + ".merges[" + std::to_string(rank) + "] makes '" + merged +
                       "', missing from the vocab");
    }
    // HF collects the merges into a hash map: a pair listed twice keeps its last rank.
    merges_.insert_or_assign(pair_key(ia->second, ib->second),
                             std::make_pair(static_cast<int32_t>(rank), im->second));
  }
}

std::optional<int32_t> BpeModel::token_to_id(std::string_view token) const {
  auto it = vocab_.find(token);
  if (it == vocab_.end()) return std::nullopt;
  return it->second;
}

const std::string* BpeModel::id_to_token(int32_t id) const {
  if (id < 0 || static_cast<size_t>(id) >= id_to_token_.size() || !has_token_[static_cast<size_t>(id)])
    return nullptr;
  return &id_to_token_[static_cast<size_t>(id)];
}

void BpeModel::encode_word(std::string_view word, std::vector<int32_t>& out) const {
  if (word.empty()) return;
  if (ignore_merges_) {
    if (auto it = vocab_.find(word); it != vocab_.end()) {
      out.push_back(it->second);
      return;
    }
  }
  const bool cacheable = word.size() <= kCacheMaxWordBytes;
  if (cacheable) {
    std::lock_guard lock(cache_mutex_);
    if (auto it = cache_.find(word); it != cache_.end()) {
      out.insert(out.end(), it->second.begin(), it->second.end());
      return;
    }
  }
  std::vector<int32_t> ids;
  merge_word(word, ids);
  out.insert(out.end(), ids.begin(), ids.end());
  if (cacheable) {
    std::lock_guard lock(cache_mutex_);
    if (cache_.size() < kCacheCapacity) cache_.emplace(std::string(word), std::move(ids));
  }
}

void BpeModel::merge_word(std::string_view w, std::vector<int32_t>& out) const {
  struct Symbol {
    int32_t id;
    int32_t prev;
    int32_t next;
    bool alive;
  };
  std::vector<Symbol> sym;
  sym.reserve(w.size());
  auto add = [&](int32_t id) {
    const auto n = static_cast<int32_t>(sym.size());
    sym.push_back({id, n - 1, -1, true});
    if (n > 0) sym[static_cast<size_t>(n - 1)].next = n;
  };

  // Characters to initial symbols (HF BPE::merge_word), with unk fusing and byte fallback.
  int32_t pending_unk = -1;  // an unk not yet added (fuse_unk grows it over several characters)
  std::string scratch;
  for (size_t i = 0; i < w.size();) {
    size_t len = 1;
    unicode::decode_at(w, i, len);
    const bool first = i == 0, last = i + len == w.size();
    std::string_view piece = w.substr(i, len);
    if ((!first && !prefix_.empty()) || (last && !suffix_.empty())) {
      scratch.assign(first ? "" : prefix_);
      scratch.append(piece);
      if (last) scratch.append(suffix_);
      piece = scratch;
    }
    i += len;
    if (auto it = vocab_.find(piece); it != vocab_.end()) {
      if (pending_unk >= 0) add(pending_unk), pending_unk = -1;
      add(it->second);
      continue;
    }
    if (byte_fallback_) {
      bool all = true;
      for (char c : piece) all = all && byte_ids_[static_cast<uint8_t>(c)] >= 0;
      if (all) {
        if (pending_unk >= 0) add(pending_unk), pending_unk = -1;
        for (char c : piece) add(byte_ids_[static_cast<uint8_t>(c)]);
        continue;
      }
    }
    if (unk_id_) {
      if (pending_unk >= 0 && !fuse_unk_) add(pending_unk);
      pending_unk = *unk_id_;
    }
    // Without unk and byte fallback HF drops the character; so do we.
  }
  if (pending_unk >= 0) add(pending_unk);

  // Merge loop: always the lowest-ranked pair, leftmost first (HF's priority queue order).
  struct Cand {
    int32_t rank;
    int32_t pos;
    int32_t new_id;
    bool operator>(const Cand& o) const { return rank != o.rank ? rank > o.rank : pos > o.pos; }
  };
  std::vector<Cand> heap;
  auto push_pair = [&](int32_t pos) {
    if (pos < 0) return;
    const int32_t nx = sym[static_cast<size_t>(pos)].next;
    if (nx < 0) return;
    auto it = merges_.find(pair_key(sym[static_cast<size_t>(pos)].id, sym[static_cast<size_t>(nx)].id));
    if (it == merges_.end()) return;
    heap.push_back({it->second.first, pos, it->second.second});
    std::push_heap(heap.begin(), heap.end(), std::greater<>());
  };
  for (int32_t p = 0; p + 1 < static_cast<int32_t>(sym.size()); ++p) push_pair(p);
  while (!heap.empty()) {
    std::pop_heap(heap.begin(), heap.end(), std::greater<>());
    const Cand top = heap.back();
    heap.pop_back();
    Symbol& left = sym[static_cast<size_t>(top.pos)];
    if (!left.alive || left.next < 0) continue;
    Symbol& right = sym[static_cast<size_t>(left.next)];
    auto it = merges_.find(pair_key(left.id, right.id));
    if (it == merges_.end() || it->second.second != top.new_id) continue;  // stale entry
    left.id = top.new_id;
    right.alive = false;
    left.next = right.next;
    if (right.next >= 0) sym[static_cast<size_t>(right.next)].prev = top.pos;
    push_pair(left.prev);
    push_pair(top.pos);
  }
  for (int32_t p = sym.empty() ? -1 : 0; p >= 0; p = sym[static_cast<size_t>(p)].next) {
    out.push_back(sym[static_cast<size_t>(p)].id);
  }
}

}  // namespace falcon
