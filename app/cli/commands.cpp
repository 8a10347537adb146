#include "app/cli/commands.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <sstream>

#include "app/engine/open_model.h"
#include "core/common/error.h"
#include "core/common/version.h"
#include "core/model/model_config.h"
#ifdef FALCON_HAVE_CUDA
#include "app/engine/cuda_plugin.h"
#endif

namespace falcon::cli {

std::vector<std::int32_t> parse_token_list(const std::string& text, const char* flag) {
  std::vector<std::int32_t> ids;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    std::size_t end = text.find(',', pos);
    if (end == std::string::npos) end = text.size();
    std::string item = text.substr(pos, end - pos);
    const auto first = item.find_first_not_of(" \t");
    const auto last = item.find_last_not_of(" \t");
    item = first == std::string::npos ? "" : item.substr(first, last - first + 1);
    std::int32_t value = 0;
    const auto [ptr, ec] = std::from_chars(item.data(), item.data() + item.size(), value);
    if (item.empty() || ec != std::errc() || ptr != item.data() + item.size() || value < 0) {
      throw Error(ErrorKind::Usage,
                  std::string(flag) + ": '" + item + "' is not a token id (expected e.g. 5,17,42)");
    }
    ids.push_back(value);
    pos = end + 1;
  }
  return ids;
}

std::string version_text() {
  std::string text = version_banner("falcon-run");
#ifdef FALCON_HAVE_CUDA
  std::string why;
  const gpu::PluginApi* plugin = cuda_plugin(&why);
  const auto devices = plugin ? plugin->list_devices() : std::vector<gpu::DeviceInfo>{};
  if (!plugin) text += "CUDA devices: none (" + why + ")\n";
  if (plugin && devices.empty()) text += "CUDA devices: none (" + plugin->no_device_reason() + ")\n";
  for (const auto& d : devices) {
    std::ostringstream line;
    line << "CUDA device " << d.index << ": " << d.name << ", compute " << d.cc_major << '.' << d.cc_minor
         << ", " << (d.total_bytes >> 20) << " MiB\n";
    text += line.str();
  }
#endif
  if (!text.empty() && text.back() == '\n') text.pop_back();
  return text;
}

std::optional<WeightFormat> head_format(const CliOptions& o) {
  if (o.head_weights && o.quantize_head)
    throw Error(ErrorKind::Usage, "use either --quantize-head or --head-weights, not both");
  if (o.head_weights) return parse_head_format(*o.head_weights);
  if (o.quantize_head) return parse_weight_format(o.weights);  // the layers' format
  return std::nullopt;
}

namespace {

// --tokenize / --detokenize need only the tokenizer files, no config or weights.
int run_tokenizer_only(const CliOptions& o) {
  const auto tokenizer = load_tokenizer(o.model_dir);
  if (o.tokenize) {
    const auto ids = tokenizer->encode(*o.tokenize);
    std::string line;
    for (size_t i = 0; i < ids.size(); ++i) line += (i ? " " : "") + std::to_string(ids[i]);
    std::printf("%s\n", line.c_str());
  } else {
    const auto ids = parse_token_list(*o.detokenize, "--detokenize");
    for (int32_t id : ids) {
      if (id >= tokenizer->vocab_size()) {
        throw Error(ErrorKind::Usage, "--detokenize: id " + std::to_string(id) +
                                          " is outside the vocabulary (size " +
                                          std::to_string(tokenizer->vocab_size()) + ")");
      }
    }
    std::printf("%s\n", tokenizer->decode(ids).c_str());
  }
  return 0;
}

// The GPU fallback and the quantization cache's notes, on stderr.
void print_notices(const OpenedModel& model) {
  if (!model.fallback_notice.empty()) std::fprintf(stderr, "falcon-run: %s\n", model.fallback_notice.c_str());
  for (const std::string& n : model.notices) std::fprintf(stderr, "falcon-run: %s\n", n.c_str());
}

OpenModelOptions open_options(const CliOptions& o) {
  OpenModelOptions m;
  m.backend = parse_backend_choice(o.backend);
  m.weights = parse_weight_format(o.weights);
  m.head_weights = head_format(o);
  // int8/int4 keep their quantized weights between runs unless --quant-cache none.
  if (!o.quant_cache)
    m.quant_cache_dir = default_quant_cache_dir();
  else if (*o.quant_cache != "none")
    m.quant_cache_dir = *o.quant_cache;
  m.cpu_threads = o.threads;
  return m;
}

}  // namespace

int execute(const CliOptions& o) {
  if (o.tokenize && o.detokenize)
    throw Error(ErrorKind::Usage, "use either --tokenize or --detokenize, not both");
  if (o.synthetic) {
    if (!o.bench) throw Error(ErrorKind::Usage, "--synthetic is for benchmarks only; add --bench");
#ifdef FALCON_HAVE_CUDA
    if (o.backend == "cpu") throw Error(ErrorKind::Usage, "--synthetic runs on the CUDA backend only");
    std::string reason;
    if (!cuda_available(&reason))
      throw Error(ErrorKind::Usage, "--bench --synthetic needs a CUDA device: " + reason);
    gpu::BenchOptions bench;
    bench.decode_steps = std::max(8, o.max_new_tokens);
    bench.weights = parse_weight_format(o.weights);
    bench.head_weights = head_format(o);
    std::printf("%s\n", cuda_plugin()->run_bench_json(*o.synthetic, bench).c_str());
    return 0;
#else
    throw Error(ErrorKind::Usage, "--bench --synthetic needs the CUDA backend, and this build has none");
#endif
  }
  if (o.model_dir.empty()) {
    throw Error(ErrorKind::Usage,
                "--model DIR is required (a folder with config.json, safetensors and a tokenizer)");
  }
  if (o.tokenize || o.detokenize) return run_tokenizer_only(o);

  if (!o.bench && !o.prompt && !o.prompt_tokens && !o.chat) {
    throw Error(ErrorKind::Usage,
                "nothing to do: give --prompt, --prompt-tokens, --chat, --tokenize or --bench");
  }
  if (o.bench) {
    const auto t0 = std::chrono::steady_clock::now();
    OpenedModel model = open_model(o.model_dir, open_options(o), /*with_tokenizer=*/false);
    const double load_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    print_notices(model);
    return run_bench(*model.backend, o, o.model_dir, load_s);
  }
  check_generation_options(o);
  const ModelConfig config = load_model_config(o.model_dir);
  std::unique_ptr<Tokenizer> tokenizer;
  if (o.prompt || o.chat) tokenizer = load_tokenizer(o.model_dir);
  OpenModelOptions options = open_options(o);
  GenerationRequest request;
  if (!o.db) {
    // The whole run fits the cache unless --window asks for a sliding window: a prompt and
    // reply longer than max_position_embeddings run on, as the reference implementation does.
    request = build_request(o, tokenizer.get(), config.vocab_size);
    if (!o.window) {
      options.cache_capacity = std::max(config.max_position_embeddings,
                                        static_cast<int>(request.tokens.size()) + o.max_new_tokens + 1);
    }
  }
  OpenedModel model = open_model(o.model_dir, options, /*with_tokenizer=*/false);
  model.tokenizer = std::move(tokenizer);
  print_notices(model);
  if (o.db) return run_db_chat(model, o);
  return run_generation(model, request, o);
}

}  // namespace falcon::cli
