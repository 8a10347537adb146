#pragma once
// Reading a whole (small) file that came from outside, with a size bound.
//
// Checkpoint metadata (config.json, the shard index, tokenizer files) is read into memory
// whole. Without a bound a multi-gigabyte file, a FIFO or a link to /dev/zero would be read
// until memory runs out; with it such a file is one Error(Load) naming it and the limit.
#include <cstdint>
#include <filesystem>
#include <string>

namespace falcon {

// JSON metadata of a checkpoint (config.json, generation_config.json, the shard index,
// tokenizer_config.json, special_tokens_map.json): real ones are kilobytes.
inline constexpr uint64_t kMaxMetadataFileBytes = uint64_t{64} << 20;
// tokenizer.json / tokenizer.model: real ones are up to a few tens of megabytes.
inline constexpr uint64_t kMaxTokenizerFileBytes = uint64_t{512} << 20;

// The contents of the regular file `path`. Throws Error(Load) when it is not a regular file,
// cannot be read, or is larger than `max_bytes` (checked before and while reading, so a file
// that grows meanwhile is caught too).
std::string read_file_bounded(const std::filesystem::path& path, uint64_t max_bytes);

}  // namespace falcon
