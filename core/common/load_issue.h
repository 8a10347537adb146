#pragma once
// The checkpoint problems a user meets most, as data: a folder of another kind of model, pickle
// or quantized weights, a download cut short or missing a shard, no tokenizer, weights that do not
// fit their config.json, a damaged safetensors file. load_issue_text
// words each in English (the error's message at its throw site, what falcon-run prints), and
// parse_load_issue reads such a message back, so that the app, which gets errors as text (from
// its worker thread, the GPU plugin, the model inspector), can say the same in the user's
// language. Other messages stay as they are.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace falcon {

enum class LoadIssue {
  NotFalcon,           // {model_type}: config.json names another architecture
  PickleOnly,          // {folder, files}: only PyTorch pickle weights
  NoWeights,           // {folder}: no weights at all
  ShardsWithoutIndex,  // {folder}: several .safetensors files, no index
  MissingShards,       // {index file, folder, shard names}: the index names files not there
  DataCutShort,        // {file, tensor, end, data bytes}: a tensor's data lies past the file's end
  HeaderCutShort,      // {file, header length, file bytes}: the header runs past the file's end
  FileTooShort,        // {file}: not even the 8-byte header length
  UnsupportedDtype,    // {file, tensor, dtype}: quantized (GPTQ, AWQ, ...) or other weights
  NoTokenizer,         // {folder}
  ConfigMismatch,      // {folder, what differs}: the tensors are not the ones config.json describes
  InvalidSafetensors,  // {file, what is wrong}: any other damage to a safetensors file
};

struct LoadIssueReport {
  LoadIssue issue{};
  std::vector<std::string> args;  // as listed above, in order
  std::string context;            // what came before the sentence ("/m/config.json: "), if anything
  bool operator==(const LoadIssueReport&) const = default;
};

// The English sentence; args as listed for the issue (missing ones read as "").
std::string load_issue_text(LoadIssue issue, const std::vector<std::string>& args);
// The issue behind a message: the whole message, or its end after a "…: " prefix (a path the
// loader put in front, kept as context). Nothing for any other text. An argument that holds the
// text after it in the sentence (a folder named "x: y") may be split elsewhere than it was
// written; the report always words the same message again.
std::optional<LoadIssueReport> parse_load_issue(std::string_view message);

}  // namespace falcon
