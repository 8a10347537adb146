#!/usr/bin/env bash
# The CUDA plugin on the GPU machine: falcon-run (which links no CUDA) loads libfalcon-cuda.so
# from <exe>/../lib/<triplet>/falcon-chat, as installed, and its errors cross the plugin boundary with
# their kinds intact. Made here by tools/gpu_plugin_dist.sh into build-pkg/gpu-dist; run with
#   run(command="bash tools/gpu_plugin_check.sh", carry=["build-pkg/gpu-dist"], timeout_s=300)
set -u
DIST=${FALCON_GPU_DIST:-build-pkg/gpu-dist}
M=resources/models/falcon-mini
R=$DIST/bin/falcon-run
T="timeout 90"
# cuBLAS 13 from the CUDA toolkit (or the Python wheels), as tools/gpu_run.sh finds it.
for d in /usr/local/cuda/lib64 /usr/local/cuda/targets/x86_64-linux/lib \
         $(python3 -c 'import nvidia.cublas, os; print(os.path.dirname(nvidia.cublas.__file__) + "/lib")' 2>/dev/null); do
  [ -e "$d/libcublas.so.13" ] && export LD_LIBRARY_PATH="$d:${LD_LIBRARY_PATH:-}" && break
done
export LD_LIBRARY_PATH="$PWD/$DIST/deps:${LD_LIBRARY_PATH:-}"
fail=0
check() { if "$@"; then echo "PASS: ${what}"; else echo "FAIL: ${what}"; fail=1; fi; }

echo "== version"; v=$($T "$R" --version 2>&1); echo "$v"
what="--version lists the GPU through the plugin"; check grep -q "CUDA device 0:" <<<"$v"

# Token ids, not text: the tokenizer is not what is checked here (falcon-run built on Debian
# loads Ubuntu's libsentencepiece there; the GPU machine's own builds are what tokenize).
args=(--model "$M" --prompt-tokens "5,17,42,99,7" --greedy --max-new-tokens 12 --print-tokens)
cuda=$($T "$R" "${args[@]}" --backend cuda 2>"$OUT/cuda.err"); rc=$?
echo "cuda rc=$rc ids='$cuda'"; cat "$OUT/cuda.err"
what="--backend cuda generates through the plugin"; check test $rc = 0 -a -n "$cuda"
auto=$($T "$R" "${args[@]}" --backend auto 2>"$OUT/auto.err"); rc=$?
echo "auto rc=$rc ids='$auto'"; cat "$OUT/auto.err"
what="--backend auto uses the GPU (no fallback notice)"; check bash -c "[ $rc = 0 ] && ! grep -q 'GPU not used' '$OUT/auto.err'"
cpu=$($T "$R" "${args[@]}" --backend cpu 2>/dev/null)
echo "cpu ids='$cpu'"
what="GPU ids equal the CPU reference's (greedy, 12 tokens)"; check test "$cuda" = "$cpu"
$T "$R" --model "$M" --tokenize "Hello" >/dev/null 2>&1
echo "info: --tokenize with this machine's libsentencepiece: rc=$?"

# A checkpoint whose config is fine but whose weights are cut short: the plugin throws
# Error(Load) while reading them, and falcon-run must still exit 3.
mkdir -p /tmp/badmodel && cp "$M"/config.json "$M"/model.safetensors.index.json /tmp/badmodel/
for f in "$M"/model-*.safetensors; do head -c 4096 "$f" >"/tmp/badmodel/$(basename "$f")"; done
$T "$R" --model /tmp/badmodel --backend cuda --prompt-tokens 5,17 2>"$OUT/bad.err"; rc=$?
cat "$OUT/bad.err"
what="a load error thrown in the plugin keeps its kind (exit 3, got $rc)"; check test $rc = 3
$T "$R" --bench --synthetic 180b --backend cuda 2>"$OUT/oom.err"; rc=$?
cat "$OUT/oom.err"
what="an out-of-memory error thrown in the plugin keeps its kind (exit 4, got $rc)"; check test $rc = 4
# Device memory faults injected in the plugin (gpu/device_alloc.h, docs/RELIABILITY.md): at load,
# auto falls back to the CPU with one notice and the CPU's ids, cuda stops with exit 4 and one
# line; during generation (the 3rd forward: a decode step), cuda stops the same way.
inj=$(FALCON_GPU_FAIL_ALLOC=1 $T "$R" "${args[@]}" --backend auto 2>"$OUT/inj-auto.err"); rc=$?
echo "injected OOM, auto: rc=$rc ids='$inj'"; cat "$OUT/inj-auto.err"
what="OOM at load, --backend auto: CPU fallback, one notice, the CPU's ids"
check bash -c "[ $rc = 0 ] && [ \$(wc -l <'$OUT/inj-auto.err') = 1 ] && grep -q 'GPU not used: out of GPU memory' '$OUT/inj-auto.err' && [ '$inj' = '$cpu' ]"
FALCON_GPU_FAIL_ALLOC=1 $T "$R" "${args[@]}" --backend cuda >/dev/null 2>"$OUT/inj-cuda.err"; rc=$?
cat "$OUT/inj-cuda.err"
what="OOM at load, --backend cuda: exit 4 (got $rc), one line"
check bash -c "[ $rc = 4 ] && [ \$(wc -l <'$OUT/inj-cuda.err') = 1 ] && grep -q 'out of GPU memory' '$OUT/inj-cuda.err'"
FALCON_GPU_FAIL_FORWARD=3 $T "$R" "${args[@]}" --backend cuda >/dev/null 2>"$OUT/inj-fwd.err"; rc=$?
cat "$OUT/inj-fwd.err"
what="OOM during generation, --backend cuda: exit 4 (got $rc), one line"
check bash -c "[ $rc = 4 ] && [ \$(wc -l <'$OUT/inj-fwd.err') = 1 ] && grep -q 'FALCON_GPU_FAIL_FORWARD=3' '$OUT/inj-fwd.err'"
exit $fail
