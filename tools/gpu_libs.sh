# Sourced by the scripts that run on the GPU machine (gpu_run.sh, gpu_soak_bg.sh): puts cuBLAS 13
# on LD_LIBRARY_PATH, from the CUDA toolkit or, as a fallback, from the Python wheels.
for d in /usr/local/cuda/lib64 /usr/local/cuda/targets/x86_64-linux/lib \
         $(python3 -c 'import nvidia.cublas, os; print(os.path.dirname(nvidia.cublas.__file__) + "/lib")' 2>/dev/null); do
  [ -e "$d/libcublas.so.13" ] && export LD_LIBRARY_PATH="$d:${LD_LIBRARY_PATH:-}" && break
done
