#include "gpu/gpu_clocks.h"

#include <cuda_runtime.h>
#include <dlfcn.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <type_traits>

namespace falcon::gpu {
namespace {

// The few NVML entry points used, declared here from NVML's documented C API (nvml.h is not
// installed with the toolkit here): every call returns 0 (NVML_SUCCESS) on success; devices
// are opaque handles; clock type 1 is NVML_CLOCK_SM.
using NvmlDevice = void*;
struct Nvml {
  int (*init)() = nullptr;
  int (*by_pci_bus_id)(const char*, NvmlDevice*) = nullptr;
  int (*clock_info)(NvmlDevice, int, unsigned*) = nullptr;
  int (*power_usage)(NvmlDevice, unsigned*) = nullptr;
  int (*reasons)(NvmlDevice, unsigned long long*) = nullptr;
  int (*total_energy)(NvmlDevice, unsigned long long*) = nullptr;  // mJ; optional (Volta and later)
  bool ok = false;
};
constexpr int kNvmlClockSm = 1;

// Opened once per process and never closed (NVML is meant to stay initialised).
const Nvml& nvml() {
  static const Nvml n = [] {
    Nvml r;
    void* lib = dlopen("libnvidia-ml.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!lib) return r;
    auto sym = [&](auto& fn, const char* name) {
      fn = reinterpret_cast<std::decay_t<decltype(fn)>>(dlsym(lib, name));
    };
    sym(r.init, "nvmlInit_v2");
    sym(r.by_pci_bus_id, "nvmlDeviceGetHandleByPciBusId_v2");
    sym(r.clock_info, "nvmlDeviceGetClockInfo");
    sym(r.power_usage, "nvmlDeviceGetPowerUsage");
    sym(r.reasons, "nvmlDeviceGetCurrentClocksEventReasons");
    if (!r.reasons) sym(r.reasons, "nvmlDeviceGetCurrentClocksThrottleReasons");  // drivers before 535
    sym(r.total_energy, "nvmlDeviceGetTotalEnergyConsumption");
    r.ok = r.init && r.by_pci_bus_id && r.clock_info && r.power_usage && r.reasons && r.init() == 0;
    return r;
  }();
  return n;
}

// The NVML handle of CUDA device `cuda_device`, or null.
NvmlDevice nvml_device(const Nvml& n, int cuda_device) {
  char bus[32] = {};
  NvmlDevice dev = nullptr;
  if (!n.ok || cudaDeviceGetPCIBusId(bus, sizeof bus, cuda_device) != cudaSuccess ||
      n.by_pci_bus_id(bus, &dev) != 0) {
    cudaGetLastError();  // a failed query leaves no error behind for the benchmark
    return nullptr;
  }
  return dev;
}

}  // namespace

double read_energy_j(int cuda_device) {
  const Nvml& n = nvml();
  const NvmlDevice dev = nvml_device(n, cuda_device);
  unsigned long long mj = 0;
  if (!dev || !n.total_energy || n.total_energy(dev, &mj) != 0)
    return std::numeric_limits<double>::quiet_NaN();
  return static_cast<double>(mj) / 1000.0;
}

ClockStats summarize_clock_samples(const std::vector<ClockSample>& samples) {
  ClockStats s;
  s.samples = static_cast<int>(samples.size());
  if (samples.empty()) {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    s.sm_mhz_mean = s.sm_mhz_min = s.power_w_mean = s.power_capped_fraction = nan;
    return s;
  }
  double mhz = 0, mw = 0, capped = 0;
  unsigned lowest = samples.front().sm_mhz;
  for (const ClockSample& c : samples) {
    mhz += c.sm_mhz;
    mw += c.power_mw;
    capped += (c.reasons & kClockReasonSwPowerCap) ? 1 : 0;
    lowest = std::min(lowest, c.sm_mhz);
  }
  const double n = static_cast<double>(samples.size());
  s.sm_mhz_mean = mhz / n;
  s.sm_mhz_min = lowest;
  s.power_w_mean = mw / n / 1000.0;
  s.power_capped_fraction = capped / n;
  return s;
}

ClockSampler::ClockSampler(int cuda_device, int period_ms) {
  const Nvml& n = nvml();
  const NvmlDevice dev = nvml_device(n, cuda_device);
  if (!dev) return;
  period_ms = std::max(1, period_ms);
  thread_ = std::thread([this, dev, period_ms, &n] {
    while (!done_.load(std::memory_order_relaxed)) {
      ClockSample c;
      unsigned long long r = 0;
      if (n.clock_info(dev, kNvmlClockSm, &c.sm_mhz) == 0 && n.power_usage(dev, &c.power_mw) == 0 &&
          n.reasons(dev, &r) == 0) {
        c.reasons = r;
        samples_.push_back(c);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(period_ms));
    }
  });
}

ClockSampler::~ClockSampler() {
  stop();
}

ClockStats ClockSampler::stop() {
  done_.store(true, std::memory_order_relaxed);
  if (thread_.joinable()) thread_.join();
  return summarize_clock_samples(samples_);
}

}  // namespace falcon::gpu
