#include "core/common/load_issue.h"

#include <array>
#include <utility>

namespace falcon {
namespace {

struct Template {
  LoadIssue issue;
  std::string_view text;  // %1 .. %9 once each, in order
};

// Several forms may share an issue only if their argument lists mean the same.
constexpr std::array<Template, 12> kTemplates{{
    {LoadIssue::NotFalcon,
     "config.json: key 'model_type' is '%1'; only Falcon models (falcon, RefinedWeb, RefinedWebModel) are "
     "supported"},
    {LoadIssue::PickleOnly,
     "%1 holds only PyTorch pickle weights (%2). They are refused because unpickling can run arbitrary code. "
     "Convert the checkpoint to safetensors (e.g. load it in transformers and save_pretrained(..., "
     "safe_serialization=True))."},
    {LoadIssue::NoWeights, "no model weights (model.safetensors) in %1"},
    {LoadIssue::ShardsWithoutIndex,
     "%1 holds several .safetensors files but no model.safetensors.index.json"},
    {LoadIssue::MissingShards, "%1 names shard(s) that are not in %2: %3"},
    {LoadIssue::DataCutShort,
     "%1: invalid safetensors file: tensor '%2': data_offsets end %3 lies outside the file's data area (%4 "
     "bytes)"},
    {LoadIssue::HeaderCutShort,
     "%1: invalid safetensors file: header length %2 is larger than the file (%3 bytes)"},
    {LoadIssue::FileTooShort, "%1: invalid safetensors file: shorter than the 8-byte header length"},
    {LoadIssue::UnsupportedDtype,
     "%1: invalid safetensors file: tensor '%2' has dtype %3; only BF16, F16 and F32 weights are supported"},
    {LoadIssue::NoTokenizer,
     "no tokenizer in %1: expected tokenizer.json (Hugging Face) or tokenizer.model (sentencepiece)"},
    {LoadIssue::ConfigMismatch, "checkpoint %1 does not match its config.json: %2"},
    // Last: the safetensors problems above read as themselves first.
    {LoadIssue::InvalidSafetensors, "%1: invalid safetensors file: %2"},
}};

// The template cut at its placeholders: literals.size() == placeholders + 1.
std::vector<std::string_view> literals_of(std::string_view t) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  for (std::size_t i = 0; i + 1 < t.size(); ++i) {
    if (t[i] == '%' && t[i + 1] >= '1' && t[i + 1] <= '9') {
      out.push_back(t.substr(start, i - start));
      start = i + 2;
      ++i;
    }
  }
  out.push_back(t.substr(start));
  return out;
}

// The arguments that put `text` in the template's shape, each non-empty; every literal but the
// last is taken at its first place after the argument before it.
std::optional<std::vector<std::string>> match(std::string_view tmpl, std::string_view text) {
  const std::vector<std::string_view> lit = literals_of(tmpl);
  if (!text.starts_with(lit.front()) || !text.ends_with(lit.back())) return std::nullopt;
  if (text.size() < lit.front().size() + lit.back().size()) return std::nullopt;
  std::vector<std::string> args;
  std::size_t pos = lit.front().size();
  const std::size_t end = text.size() - lit.back().size();
  for (std::size_t i = 1; i < lit.size(); ++i) {
    std::size_t next = end;
    if (i + 1 < lit.size()) {
      next = text.find(lit[i], pos + 1);
      if (next == std::string_view::npos || next + lit[i].size() > end) return std::nullopt;
    }
    if (next <= pos) return std::nullopt;  // an empty argument
    args.emplace_back(text.substr(pos, next - pos));
    pos = next + (i + 1 < lit.size() ? lit[i].size() : 0);
  }
  if (lit.size() == 1 && text.size() != lit.front().size()) return std::nullopt;
  return args;
}

}  // namespace

std::string load_issue_text(LoadIssue issue, const std::vector<std::string>& args) {
  for (const Template& t : kTemplates) {
    if (t.issue != issue) continue;
    std::string out;
    for (std::size_t i = 0; i < t.text.size(); ++i) {
      if (t.text[i] == '%' && i + 1 < t.text.size() && t.text[i + 1] >= '1' && t.text[i + 1] <= '9') {
        const std::size_t n = static_cast<std::size_t>(t.text[i + 1] - '1');
        if (n < args.size()) out += args[n];
        ++i;
      } else {
        out += t.text[i];
      }
    }
    return out;
  }
  return {};
}

std::optional<LoadIssueReport> parse_load_issue(std::string_view message) {
  // The whole message first, then what follows each ": " (a prefix such as the config file's path).
  for (std::size_t from = 0; from <= message.size();) {
    const std::string_view rest = message.substr(from);
    for (const Template& t : kTemplates) {
      std::optional<std::vector<std::string>> args = match(t.text, rest);
      if (!args) continue;
      LoadIssueReport r{t.issue, std::move(*args), std::string(message.substr(0, from))};
      if (r.context + load_issue_text(r.issue, r.args) == message) return r;
    }
    const std::size_t colon = message.find(": ", from);
    if (colon == std::string_view::npos) break;
    from = colon + 2;
  }
  return std::nullopt;
}

}  // namespace falcon
