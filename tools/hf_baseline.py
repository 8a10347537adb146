#!/usr/bin/env python3
"""HF transformers baseline for the GPU benchmarks: random weights of the real Falcon shapes,
bf16 on the GPU, the same measurements as falcon-gpu-bench / falcon-run --bench --synthetic:
decode tok/s (batch 1, 512 tokens in the cache), prefill of 2048 tokens, TTFT of a 512-token
prompt, peak memory. One JSON line per (shape, mode). The prefill (eager) and TTFT are also timed
from an idle GPU, as falcon-gpu-bench does: each of 3 runs after --idle-ms (default 2000) with
nothing running, the median (prefill_2048_idle_ms, ttft_512_idle_ms); the back-to-back timings
keep the best of 3.

    python3 tools/hf_baseline.py --shape 7b --mode eager
    python3 tools/hf_baseline.py --shape 40b --mode compiled   # static cache + torch.compile (minutes)

Runs on the GPU machine (torch 2.11, transformers 5.17). Costs device time: the compiled mode
spends 1-3 minutes compiling before it measures.
"""
import argparse
import json
import time

import torch
from transformers import FalconConfig, FalconForCausalLM

SHAPES = {
    "7b": dict(hidden_size=4544, num_hidden_layers=32, num_attention_heads=71, multi_query=True,
               new_decoder_architecture=False, parallel_attn=True),
    "40b": dict(hidden_size=8192, num_hidden_layers=60, num_attention_heads=128, num_kv_heads=8,
                new_decoder_architecture=True, parallel_attn=True),
    "11b": dict(hidden_size=4096, num_hidden_layers=60, num_attention_heads=32, num_kv_heads=8,
                new_decoder_architecture=True, num_ln_in_parallel_attn=1, max_position_embeddings=8192),
    "rw-1b": dict(hidden_size=2048, num_hidden_layers=24, num_attention_heads=32, multi_query=False,
                  new_decoder_architecture=False, parallel_attn=False, alibi=True, bias=True, vocab_size=50304),
}


def sync_time(fn):
    torch.cuda.synchronize()
    t = time.perf_counter()
    out = fn()
    torch.cuda.synchronize()
    return time.perf_counter() - t, out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--shape", default="7b", choices=sorted(SHAPES))
    ap.add_argument("--mode", default="eager", choices=["eager", "compiled"])
    ap.add_argument("--steps", type=int, default=32)
    ap.add_argument("--idle-ms", type=int, default=2000, help="pause before each from-idle timing; 0: none")
    a = ap.parse_args()
    kw = dict(vocab_size=65024, max_position_embeddings=2048)
    kw.update(SHAPES[a.shape])
    cfg = FalconConfig(**kw)
    torch.manual_seed(0)
    torch.set_default_dtype(torch.bfloat16)  # build in bf16 directly: 40B in fp32 would not fit
    with torch.device("cuda"):
        model = FalconForCausalLM(cfg).eval()
    for p in model.parameters():  # random, not the init's zeros/ones
        p.data.normal_(0, 0.02)
    torch.cuda.reset_peak_memory_stats()
    ids = lambda n: torch.randint(0, cfg.vocab_size, (1, n), device="cuda")
    gen_kw = {}
    t_compile = 0.0
    if a.mode == "compiled":
        model.generation_config.cache_implementation = "static"
        model.forward = torch.compile(model.forward)

        # The static cache is as long as the prompt + max_new_tokens, and each length compiles
        # its own graphs: warm up with exactly the two calls timed below (TTFT: 1 new token,
        # decode: 1 + steps), twice each, so that no timed call compiles. (Session 6's script
        # warmed up with 4 new tokens only, and its timed decode call compiled: 0.2-0.3 tok/s.)
        def warm_up():
            for n in (1, 1 + a.steps):
                for _ in range(2):
                    model.generate(ids(512), max_new_tokens=n, min_new_tokens=n, do_sample=False)

        t_compile, _ = sync_time(warm_up)
    res = {"shape": a.shape, "mode": a.mode, "compile_s": round(t_compile, 1)}
    with torch.no_grad():
        if a.mode == "eager":
            for _ in range(2):
                sync_time(lambda: model(ids(2048)))
            res["prefill_2048_ms"] = round(1e3 * min(sync_time(lambda: model(ids(2048)))[0] for _ in range(3)), 1)
        ttft = [sync_time(lambda: model.generate(ids(512), max_new_tokens=1, do_sample=False, **gen_kw))[0]
                for _ in range(3)]
        res["ttft_512_ms"] = round(1e3 * min(ttft), 1)
        t1, _ = sync_time(lambda: model.generate(ids(512), max_new_tokens=1 + a.steps, min_new_tokens=1 + a.steps,
                                                 do_sample=False, **gen_kw))
        res["decode_512_tok_s"] = round(a.steps / max(1e-9, t1 - min(ttft)), 1)
        if a.idle_ms > 0:  # last, so that the timings above keep their state

            def from_idle(fn):
                t = []
                for _ in range(3):
                    torch.cuda.synchronize()
                    time.sleep(a.idle_ms / 1000)
                    t.append(sync_time(fn)[0])
                return round(1e3 * sorted(t)[1], 1)

            res["idle_ms"] = a.idle_ms
            res["ttft_512_idle_ms"] = from_idle(
                lambda: model.generate(ids(512), max_new_tokens=1, do_sample=False, **gen_kw))
            if a.mode == "eager":
                res["prefill_2048_idle_ms"] = from_idle(lambda: model(ids(2048)))
    res["peak_gib"] = round(torch.cuda.max_memory_allocated() / 2**30, 2)
    res["gpu"] = torch.cuda.get_device_name()
    res["versions"] = f"torch {torch.__version__}"
    print(json.dumps(res), flush=True)


if __name__ == "__main__":
    main()
