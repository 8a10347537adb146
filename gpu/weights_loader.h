#pragma once
// Internal to falcon_gpu: filling a DeviceModel's weights from a checkpoint or at random.
#include <cuda_runtime.h>

#include <cstdint>
#include <functional>

#include "core/common/thread_pool.h"
#include "core/model/checkpoint.h"
#include "gpu/cuda_model.h"
#include "gpu/device_alloc.h"

namespace falcon::gpu {

// Host -> device copies through two pinned staging buffers: the host converts one chunk to
// bf16 while the DMA engine copies the previous one. The conversion (reading the mapped
// checkpoint, i.e. the page cache) is split over up to 8 threads: one thread reads the page cache
// at ~4.5 GB/s, well below what the copy engine takes. The buffers count as two allocations of
// `faults` (device_alloc.h); when the second fails the first is freed.
class Uploader {
 public:
  Uploader(cudaStream_t stream, size_t staging_bytes, FaultInjection* faults);
  ~Uploader();
  Uploader(const Uploader&) = delete;
  Uploader& operator=(const Uploader&) = delete;
  // Destination row r (of `rows`, each view.row_size() wide) = source row source_row(r) (r when
  // empty), converted to bf16; destination rows are dst_pitch elements apart. source_row is
  // called from several threads at once.
  void put_rows(const TensorView& v, const std::function<int64_t(int64_t)>& source_row, int64_t rows,
                bf16* dst, int64_t dst_pitch);
  void put_floats(const float* host, int64_t n, float* dst);
  void finish();

 private:
  cudaStream_t stream_;
  size_t bytes_;
  PinnedBuffer staging_[2];
  cudaEvent_t done_[2] = {nullptr, nullptr};
  int next_ = 0;
  ThreadPool pool_;
};

// With quantized_done, the quantized matrices were already filled (from the quantization
// cache): their bf16 tensors are neither read nor quantized.
void load_checkpoint_weights(const ModelConfig& c, const CheckpointReader& ck, DeviceModel& m,
                             cudaStream_t stream, FaultInjection* faults,
                             const std::function<void(uint64_t, uint64_t)>& progress,
                             bool quantized_done = false);

// Random weights (LayerNorm gains near 1) generated on the device; biases when c.bias.
void fill_synthetic_weights(const ModelConfig& c, DeviceModel& m, uint64_t seed, cudaStream_t stream);

}  // namespace falcon::gpu
