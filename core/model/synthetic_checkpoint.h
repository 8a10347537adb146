#pragma once
// A Falcon checkpoint in Hugging Face's on-disk format with random weights, written tensor by
// tensor: what the load benchmark (falcon-gpu-bench --load) reads when no real multi-GB
// checkpoint is at hand, so that loading is timed through the real path (config.json, shard
// index, safetensors headers, mapped files, staging, device copies) on the real shapes.
#include <cstdint>
#include <filesystem>
#include <string>

#include "core/model/model_config.h"

namespace falcon {

// The configs of the released models: "7b", "40b", "180b", "11b" (Falcon2-11B), "rw-1b".
// Throws Error(Usage) naming the valid shapes for anything else.
ModelConfig synthetic_config(const std::string& shape);

// Writes config.json, model-0000N-of-0000M.safetensors shards of at most `shard_bytes` each
// (a tensor larger than that gets a shard of its own) and model.safetensors.index.json into
// `dir` (created if missing), with every tensor expected_tensors(config) lists (the lm_head only
// when the embeddings are not tied) as bf16. Linear weights are uniform in +-1/sqrt(inputs),
// LayerNorm weights near 1, biases near 0. Memory use stays at one write buffer. Returns the
// bytes written. Throws Error(Usage) for a config that parse_model_config would reject and
// Error(Load) when a file cannot be written.
uint64_t write_synthetic_checkpoint(const std::filesystem::path& dir, const ModelConfig& config,
                                    uint64_t shard_bytes, uint64_t seed);

}  // namespace falcon
