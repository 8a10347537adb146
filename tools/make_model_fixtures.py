#!/usr/bin/env python3
"""Makes tiny random Falcon checkpoints of every architecture variant plus float32 reference
outputs from Hugging Face transformers, for the C++ engine's tests (tests/fixtures/models/).

Run on the GPU machine (it has torch + transformers; the computation is tiny and runs on the
CPU there). Usage:

    python3 tools/make_model_fixtures.py --out DIR [--tar FILE]

For each fixture DIR/<name>/ holds what save_pretrained writes (config.json,
generation_config.json, model.safetensors or shards + model.safetensors.index.json, bf16)
and the reference:
    reference.json      prompt ids, greedy continuation, shapes, provenance
    prompt_logits.bin   float32 little-endian (prompt_len, vocab): one forward of the prompt
    full_logits.bin     float32 (prompt_len + n_new, vocab): one forward of prompt + greedy
                        continuation; row i predicts token i + 1
References come from the checkpoint as saved (bf16 weights) reloaded with dtype float32,
so the C++ engine, which reads the same bf16 file, must agree to float32 rounding.

Greedy continuations are computed without a KV cache (the whole sequence re-run each step):
that is the model's definition and, for dynamic RoPE scaling, differs from HF's cached
generate (whose keys keep the frequencies of the step that made them). The cached greedy
run is recorded too (greedy_cached) for information.
"""
import argparse
import copy
import json
import math
import os
import shutil
import sys
import tarfile
import traceback

import torch
import transformers
from transformers import FalconConfig, FalconForCausalLM

N_NEW = 24


def rope_kwargs(theta, scaling):
    """Config keyword arguments for RoPE, in whichever spelling this transformers uses."""
    probe = FalconConfig()
    if hasattr(probe, "rope_parameters"):
        params = {"rope_type": "default", "rope_theta": theta}
        if scaling:
            params = {"rope_type": scaling[0], "factor": scaling[1], "rope_theta": theta}
        return {"rope_parameters": params}
    kw = {"rope_theta": theta}
    if scaling:
        kw["rope_scaling"] = {"type": scaling[0], "factor": scaling[1]}
    return kw


# name -> (FalconConfig kwargs, extras)
VARIANTS = [
    # Falcon-7B shape: multi-query, RoPE, parallel attention with one LayerNorm.
    ("mqa_rope_parallel",
     dict(vocab_size=512, hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
          new_decoder_architecture=False, multi_query=True, parallel_attn=True, bias=False,
          alibi=False, max_position_embeddings=128),
     dict(theta=10000.0, prompt_len=29)),
    # Falcon-40B/180B shape: grouped KV heads, new architecture, ln_attn + ln_mlp. Sharded.
    ("gqa_2ln_sharded",
     dict(vocab_size=384, hidden_size=64, num_hidden_layers=3, num_attention_heads=8, num_kv_heads=2,
          new_decoder_architecture=True, num_ln_in_parallel_attn=2, parallel_attn=True, bias=False,
          alibi=False, max_position_embeddings=128),
     dict(theta=10000.0, prompt_len=33, shard="60KB")),
    # Falcon-11B shape: new architecture with one LayerNorm, large rope_theta, untied lm_head.
    ("gqa_1ln_untied",
     dict(vocab_size=320, hidden_size=96, num_hidden_layers=2, num_attention_heads=6, num_kv_heads=2,
          new_decoder_architecture=True, num_ln_in_parallel_attn=1, parallel_attn=True, bias=False,
          alibi=False, max_position_embeddings=256, tie_word_embeddings=False),
     dict(theta=500042.0, prompt_len=37)),
    # RW-1B shape: classic multi-head, biases, sequential attention then MLP, ALiBi.
    ("rw_mha_bias_seq_alibi",
     dict(vocab_size=448, hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
          new_decoder_architecture=False, multi_query=False, parallel_attn=False, bias=True,
          alibi=True, max_position_embeddings=128),
     dict(theta=10000.0, prompt_len=31)),
    # RoPE with linear position scaling.
    ("rope_linear",
     dict(vocab_size=256, hidden_size=64, num_hidden_layers=2, num_attention_heads=4, num_kv_heads=2,
          new_decoder_architecture=True, num_ln_in_parallel_attn=2, parallel_attn=True, bias=False,
          alibi=False, max_position_embeddings=64),
     dict(theta=10000.0, scaling=("linear", 2.0), prompt_len=30)),
    # RoPE with dynamic NTK scaling; the prompt alone is longer than max_position_embeddings.
    ("rope_dynamic",
     dict(vocab_size=256, hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
          new_decoder_architecture=False, multi_query=True, parallel_attn=True, bias=False,
          alibi=False, max_position_embeddings=24),
     dict(theta=10000.0, scaling=("dynamic", 2.0), prompt_len=32)),
    # ALiBi with a non-power-of-two head count, multi-query, parallel attention.
    ("alibi_6heads_mqa_parallel",
     dict(vocab_size=320, hidden_size=96, num_hidden_layers=2, num_attention_heads=6,
          new_decoder_architecture=False, multi_query=True, parallel_attn=True, bias=False,
          alibi=True, max_position_embeddings=128),
     dict(theta=10000.0, prompt_len=27)),
    # Falcon-7B as first released: config.json rewritten in the old RefinedWebModel keys.
    ("legacy_refinedwebmodel",
     dict(vocab_size=256, hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
          new_decoder_architecture=False, multi_query=True, parallel_attn=True, bias=False,
          alibi=False, max_position_embeddings=2048),
     dict(theta=10000.0, prompt_len=25, legacy="RefinedWebModel")),
    # Falcon-40B as first released: model_type RefinedWeb, n_head_kv, no new_decoder_architecture key.
    ("legacy_refinedweb_40b",
     dict(vocab_size=256, hidden_size=64, num_hidden_layers=2, num_attention_heads=8, num_kv_heads=2,
          new_decoder_architecture=True, num_ln_in_parallel_attn=2, parallel_attn=True, bias=False,
          alibi=False, max_position_embeddings=2048),
     dict(theta=10000.0, prompt_len=26, legacy="RefinedWeb")),
]


def randomise(model, gen):
    """Non-trivial weights: unit-scale linear weights, random LayerNorm gains/biases and
    linear biases (HF's init leaves LayerNorm at 1/0 and biases at 0, which would hide bugs)."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("word_embeddings.weight"):
                # Small next to the blocks' outputs, so that with tied embeddings the greedy
                # continuation is not just the last input token repeated.
                p.copy_(0.1 * torch.randn(p.shape, generator=gen))
            elif "layernorm" in name or "ln_" in name:
                if name.endswith(".weight"):
                    p.copy_(1.0 + 0.3 * torch.randn(p.shape, generator=gen))
                else:
                    p.copy_(0.2 * torch.randn(p.shape, generator=gen))
            elif name.endswith(".weight"):
                p.copy_(torch.randn(p.shape, generator=gen) / math.sqrt(p.shape[1]) * 1.2)
            else:  # linear biases
                p.copy_(0.1 * torch.randn(p.shape, generator=gen))


def logits_of(model, ids):
    # A fresh copy per forward: HF's dynamic RoPE keeps the frequencies of the longest
    # sequence it has seen (max_seq_len_cached) until the length drops below
    # max_position_embeddings, so reusing one module would make a reference depend on the
    # forwards before it.
    with torch.no_grad():
        out = copy.deepcopy(model)(input_ids=torch.tensor([ids]), use_cache=False)
    return out.logits[0].float()


def greedy_nocache(model, prompt, n):
    ids = list(prompt)
    margins = []
    for _ in range(n):
        last = logits_of(model, ids)[-1]
        top = torch.topk(last, 2)
        margins.append(float(top.values[0] - top.values[1]) / float(last.abs().max()))
        ids.append(int(top.indices[0]))
    return ids[len(prompt):], min(margins)


def greedy_cached(model, prompt, n):
    """HF's incremental decode with its KV cache (informational: equals greedy_nocache
    except where HF's cached path is not the model's definition, e.g. dynamic RoPE)."""
    try:
        model = copy.deepcopy(model)
        with torch.no_grad():
            out = model(input_ids=torch.tensor([prompt]), use_cache=True)
            ids = []
            for _ in range(n):
                nxt = int(torch.argmax(out.logits[0, -1]))
                ids.append(nxt)
                out = model(input_ids=torch.tensor([[nxt]]), past_key_values=out.past_key_values, use_cache=True)
        return ids
    except Exception as e:  # informational only
        print("  cached decode failed:", repr(e), file=sys.stderr)
        return []


def legacy_config(cfg_path, kind):
    """Rewrites a saved config.json with the key names of the original RefinedWeb releases."""
    with open(cfg_path) as f:
        c = json.load(f)
    old = {
        "model_type": kind,
        "architectures": ["RWForCausalLM"],
        "vocab_size": c["vocab_size"],
        "n_embed": c["hidden_size"],
        "n_layer": c["num_hidden_layers"],
        "n_head": c["num_attention_heads"],
        "alibi": c["alibi"],
        "bias": c["bias"],
        "parallel_attn": c["parallel_attn"],
        "layer_norm_epsilon": c["layer_norm_epsilon"],
        "initializer_range": 0.02,
        "hidden_dropout": 0.0,
        "attention_dropout": 0.0,
        "apply_residual_connection_post_layernorm": False,
        "bos_token_id": 11,
        "eos_token_id": 11,
        "use_cache": True,
        "torch_dtype": "bfloat16",
    }
    if kind == "RefinedWebModel":
        old["multi_query"] = c["multi_query"]
    else:  # RefinedWeb (40B): grouped KV heads, always the new decoder architecture
        old["n_head_kv"] = c["num_kv_heads"]
    with open(cfg_path, "w") as f:
        json.dump(old, f, indent=2)


def make(name, cfg_kw, extra, out_dir, seed):
    d = os.path.join(out_dir, name)
    shutil.rmtree(d, ignore_errors=True)
    cfg = FalconConfig(**cfg_kw, **rope_kwargs(extra["theta"], extra.get("scaling")),
                       bos_token_id=1, eos_token_id=2, layer_norm_epsilon=1e-5)
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    model = FalconForCausalLM(cfg).float().eval()
    randomise(model, gen)
    save_kw = {"safe_serialization": True}
    if "shard" in extra:
        save_kw["max_shard_size"] = extra["shard"]
    model = model.to(torch.bfloat16)
    try:
        model.save_pretrained(d, **save_kw)
    except TypeError:  # transformers versions that always write safetensors drop the flag
        save_kw.pop("safe_serialization")
        model.save_pretrained(d, **save_kw)
    try:
        ref = FalconForCausalLM.from_pretrained(d, dtype=torch.float32, attn_implementation="sdpa").eval()
    except TypeError:
        ref = FalconForCausalLM.from_pretrained(d, torch_dtype=torch.float32, attn_implementation="sdpa").eval()

    vocab = cfg_kw["vocab_size"]
    best = None
    for attempt in range(12):  # pick a prompt whose greedy steps have no near-ties
        g = torch.Generator().manual_seed(seed * 100 + attempt)
        prompt = [int(t) for t in torch.randint(0, vocab, (extra["prompt_len"],), generator=g)]
        greedy, margin = greedy_nocache(ref, prompt, N_NEW)
        score = margin if len(set(greedy)) >= 4 else margin - 1.0  # prefer varied continuations
        if best is None or score > best[3]:
            best = (prompt, greedy, margin, score)
        if margin > 2e-3 and len(set(greedy)) >= 4:
            break
    prompt, greedy, margin, _ = best
    prompt_logits = logits_of(ref, prompt)
    full = prompt + greedy
    full_logits = logits_of(ref, full)
    cached = greedy_cached(ref, prompt, N_NEW)
    try:
        eager = FalconForCausalLM.from_pretrained(d, dtype=torch.float32, attn_implementation="eager").eval()
        eager_diff = float((logits_of(eager, prompt) - prompt_logits).abs().max())
    except Exception as e:
        eager_diff = None
        print("  eager comparison failed:", repr(e), file=sys.stderr)

    prompt_logits.numpy().astype("<f4").tofile(os.path.join(d, "prompt_logits.bin"))
    full_logits.numpy().astype("<f4").tofile(os.path.join(d, "full_logits.bin"))
    if "legacy" in extra:
        legacy_config(os.path.join(d, "config.json"), extra["legacy"])
    meta = {
        "name": name,
        "vocab_size": vocab,
        "prompt": prompt,
        "greedy": greedy,
        "greedy_cached": cached,
        "greedy_min_relative_margin": margin,
        "prompt_logits": {"file": "prompt_logits.bin", "rows": len(prompt)},
        "full_tokens": full,
        "full_logits": {"file": "full_logits.bin", "rows": len(full)},
        "max_abs_prompt_logit": float(prompt_logits.abs().max()),
        "eager_vs_sdpa_max_abs_diff": eager_diff,
        "config_kwargs": {k: v for k, v in cfg_kw.items()},
        "rope": {"theta": extra["theta"], "scaling": extra.get("scaling")},
        "legacy_config": extra.get("legacy"),
        "seed": seed,
        "transformers_version": transformers.__version__,
        "torch_version": torch.__version__,
    }
    with open(os.path.join(d, "reference.json"), "w") as f:
        json.dump(meta, f, indent=1)
    files = sorted(os.listdir(d))
    size = sum(os.path.getsize(os.path.join(d, x)) for x in files)
    print(f"{name}: prompt {len(prompt)} greedy {greedy[:8]}... distinct {len(set(greedy))} margin {margin:.4f} "
          f"cached_equal {cached == greedy} eager_diff {eager_diff} files {len(files)} {size // 1024} KiB")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--tar", default=None)
    ap.add_argument("--only", default=None)
    args = ap.parse_args()
    torch.set_num_threads(max(1, min(8, os.cpu_count() or 1)))
    os.makedirs(args.out, exist_ok=True)
    print("transformers", transformers.__version__, "torch", torch.__version__)
    failed = []
    for i, (name, cfg_kw, extra) in enumerate(VARIANTS):
        if args.only and name not in args.only.split(","):
            continue
        try:
            make(name, cfg_kw, extra, args.out, seed=1000 + i)
        except Exception:  # keep going: one broken variant should not cost the others
            failed.append(name)
            traceback.print_exc()
    if args.tar:
        with tarfile.open(args.tar, "w:gz") as t:
            t.add(args.out, arcname="models")
        print("wrote", args.tar, os.path.getsize(args.tar) // 1024, "KiB")
    if failed:
        print("FAILED:", ", ".join(failed))
        sys.exit(1)


if __name__ == "__main__":
    main()
