#pragma once
// The device's SM clock, board power and power-cap state while a benchmark phase runs, read
// through NVML. NVML comes with the NVIDIA driver (libnvidia-ml.so.1) and is opened at run time,
// so nothing here is a build dependency; where it is missing or fails, a sampler reports no
// samples and the benchmark's clock fields are null. Why: an H200 decodes at its 700 W software
// power cap, at 1.6-1.8 GHz instead of 1.98 (docs/GPU_NOTES.md run 16), so a decode number
// alone cannot say whether the code or the power state moved it.
#include <atomic>
#include <cstdint>
#include <thread>
#include <vector>

namespace falcon::gpu {

struct ClockSample {
  unsigned sm_mhz = 0;
  unsigned power_mw = 0;  // the driver's (averaged) board power
  uint64_t reasons = 0;   // NVML clocks-event reasons (bit mask)
};

// NVML's "software power cap" reason: the clocks are lowered to stay under the power limit.
constexpr uint64_t kClockReasonSwPowerCap = 0x4;

struct ClockStats {
  int samples = 0;  // 0: not measured (the fields below are then NaN)
  double sm_mhz_mean = 0, sm_mhz_min = 0;
  double power_w_mean = 0;
  double power_capped_fraction = 0;  // share of the samples with kClockReasonSwPowerCap set
};

// The board's energy counter (NVML's total energy since the driver loaded), in joules; NaN where
// NVML or the counter is missing. Two reads around a phase give its energy; the counter follows
// the power sensor, so phases of a few hundred ms are resolved to a few percent.
double read_energy_j(int cuda_device);

// The statistics of a series of samples (NaN fields for an empty one).
ClockStats summarize_clock_samples(const std::vector<ClockSample>& samples);

// Samples CUDA device `cuda_device` every period_ms on a thread of its own from construction
// until stop() (or destruction). Never throws for a missing or failing NVML.
class ClockSampler {
 public:
  explicit ClockSampler(int cuda_device, int period_ms = 10);
  ~ClockSampler();
  ClockSampler(const ClockSampler&) = delete;
  ClockSampler& operator=(const ClockSampler&) = delete;
  ClockStats stop();

 private:
  std::vector<ClockSample> samples_;
  std::atomic<bool> done_{false};
  std::thread thread_;
};

}  // namespace falcon::gpu
