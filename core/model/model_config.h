#pragma once
// ModelConfig: everything the engine needs from a Falcon checkpoint's config.json, normalised
// across the naming generations (current `falcon` keys and the older RefinedWeb keys).
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace falcon {

enum class RopeScaling { None, Linear, Dynamic };

struct ModelConfig {
  int vocab_size = 0;                     // rows of word_embeddings / lm_head
  int hidden_size = 0;                    // d_model (n_embed in RefinedWeb configs)
  int num_layers = 0;                     // decoder blocks (n_layer)
  int num_heads = 0;                      // query heads (n_head)
  int num_kv_heads = 0;                   // key/value heads: 1 for multi-query, num_heads for classic MHA
  int head_dim = 0;                       // hidden_size / num_heads
  int ffn_hidden_size = 0;                // MLP inner width (4 * hidden_size unless given)
  bool new_decoder_architecture = false;  // 40B/180B/11B style grouped QKV layout
  bool multi_query = false;               // 7B style: one shared K/V head
  bool parallel_attn = true;              // attention and MLP read the same normalised input
  int num_ln_in_parallel_attn =
      1;               // LNs of a parallel block: 2 = ln_attn + ln_mlp (new arch), 1 = input_layernorm
  bool bias = false;   // linear layers carry biases (RW-1B)
  bool alibi = false;  // ALiBi position bias instead of RoPE
  double rope_theta = 10000.0;  // RoPE base
  RopeScaling rope_scaling = RopeScaling::None;
  double rope_scaling_factor = 1.0;  // > 1 when rope_scaling is set
  double layer_norm_epsilon = 1e-5;
  bool tie_word_embeddings = true;  // lm_head shares word_embeddings
  int max_position_embeddings = 2048;
  std::string activation = "gelu";  // exact erf GELU
  int bos_token_id = -1;            // from config.json / generation_config.json, -1 if absent
  int eos_token_id = -1;            // the first end-of-sequence id, -1 if absent
  std::vector<int> eos_token_ids;   // all of them (generation_config.json may list several)
  int pad_token_id = -1;            // -1 if absent
  std::string model_type;           // "falcon", "RefinedWeb" or "RefinedWebModel"

  // Width of the fused query_key_value projection's output, derived from the layout:
  // new architecture (num_heads + 2 * num_kv_heads) * head_dim; multi-query
  // hidden + 2 * head_dim; classic MHA 3 * hidden.
  int qkv_out_features() const;
  // Which LayerNorms a block has (HF FalconDecoderLayer): sequential blocks have
  // input_layernorm + post_attention_layernorm; parallel blocks with 2 LNs (new architecture)
  // ln_attn + ln_mlp; every other parallel block a single input_layernorm.
  bool has_two_parallel_layernorms() const { return parallel_attn && num_ln_in_parallel_attn == 2; }
  bool rotary() const { return !alibi; }
};

// Parses config.json text. Throws Error(Load) naming the key on anything unknown,
// missing or contradictory.
ModelConfig parse_model_config(std::string_view json_text);

// Reads <dir>/config.json and, when present, <dir>/generation_config.json (bos/eos).
ModelConfig load_model_config(const std::filesystem::path& dir);

// Why `dir` is no model folder (it has no config.json): the message load_model_config throws for
// it (no such path, a file, GGUF or pickle weights, a folder above the model's), and the folders
// inside it that hold a config.json (up to three levels down; a walk of at most 4000 entries and
// 300 ms, up to 8 found, sorted): a folder of several models, or the Hugging Face cache's
// models--org--name with its snapshots/<hash> inside.
struct MissingConfig {
  // What it is, for a caller that words it itself (the app, in the user's language): `message`
  // says the same in English.
  enum class Reason {
    NotThere,             // no such path
    ForeignFile,          // a weights file of another format (`foreign`)
    FileOfModel,          // a file in a model folder (model_folders = {that folder})
    File,                 // some other file
    OneModelInside,       // a folder above one model folder (model_folders = {it})
    SeveralModelsInside,  // a folder of several (model_folders, sorted)
    ForeignInside,        // a folder holding weights of another format (`foreign`)
    NoModel,              // a folder with none of these
  };
  enum class Foreign { None, Gguf, Pickle };
  Reason reason = Reason::NoModel;
  Foreign foreign = Foreign::None;
  std::string message;
  std::vector<std::filesystem::path> model_folders;
};
MissingConfig diagnose_missing_config(const std::filesystem::path& dir);

}  // namespace falcon
