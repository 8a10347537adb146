#pragma once
#include <string>

#include "app/cli/cli_options.h"
#include "app/engine/open_model.h"
#include "core/chat/generator.h"
#include "core/model/backend.h"

namespace falcon::cli {

// Version banner plus, in a CUDA build, the devices this machine has.
std::string version_text();
// Runs what the options ask for; returns the exit status. Throws falcon::Error on failure.
int execute(const CliOptions& options);

// --bench on an opened backend: prefill then --max-new-tokens greedy decode steps, one JSON line
// (with load_s, the time open_model took, as load_ms).
int run_bench(Backend& backend, const CliOptions& options, const std::string& model_label, double load_s);
// The output head's format: --head-weights, or --weights' with --quantize-head, else unset (the
// backend's default_head_format). Throws Error(Usage) when both flags are given.
std::optional<WeightFormat> head_format(const CliOptions& options);
// Throws Error(Usage) for contradictory generation flags or invalid sampling settings.
void check_generation_options(const CliOptions& options);
// The tokens --prompt / --prompt-tokens / --chat ask for (tokenizer may be null for ids);
// throws Error(Usage) for an id outside `vocab_size`.
GenerationRequest build_request(const CliOptions& options, const Tokenizer* tokenizer, int vocab_size);
// One generation of `request`, streamed to stdout (generate.cpp).
int run_generation(OpenedModel& model, const GenerationRequest& request, const CliOptions& options);
// --db PATH --conversation ID --chat TEXT: continue a stored conversation through ChatSession.
int run_db_chat(OpenedModel& model, const CliOptions& options);

}  // namespace falcon::cli
