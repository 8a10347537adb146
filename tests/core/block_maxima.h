#pragma once
// The reference for Backend::last_block_maxima: each block of kLogitBlock logits' largest as a
// GPU's fmaxf finds it (NaN ignored, NaN where every one is). Shared by the sampler's and the
// generator's tests, the sampler bench and the GPU tests' checks of the head's maxima.
#include <cmath>
#include <limits>
#include <span>
#include <vector>

#include "core/model/backend.h"

namespace falcon::testing {

inline std::vector<float> block_maxima_of(std::span<const float> logits) {
  std::vector<float> m((logits.size() + kLogitBlock - 1) / kLogitBlock,
                       std::numeric_limits<float>::quiet_NaN());
  for (size_t i = 0; i < logits.size(); ++i) m[i / kLogitBlock] = std::fmax(m[i / kLogitBlock], logits[i]);
  return m;
}

}  // namespace falcon::testing
