#pragma once
// A small seeded random number generator with a fully specified output, so that one seed gives
// the same sampled tokens on every compiler and standard library. std::mt19937_64 would be
// portable, but std::uniform_real_distribution and friends are implementation-defined, so we
// do our own conversion to doubles as well.
//
// Generator: xoshiro256** (Blackman & Vigna, 2018), state seeded through splitmix64 as its
// authors recommend (a 64-bit seed never yields the all-zero state).
#include <array>
#include <cstdint>

namespace falcon {

class Rng {
 public:
  using State = std::array<uint64_t, 4>;

  explicit Rng(uint64_t seed = 0) { reseed(seed); }

  void reseed(uint64_t seed) {
    uint64_t x = seed;
    for (auto& word : s_) word = splitmix64(x);
  }

  // Next raw 64-bit output.
  uint64_t next_u64() {
    const uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

  // Uniform double in [0, 1): the top 53 bits scaled by 2^-53, so every value is exactly
  // representable and the result never reaches 1.
  double next_double() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }

  // The whole state, so a conversation can save and restore its sampler position.
  const State& state() const { return s_; }
  void set_state(const State& s) { s_ = s; }

 private:
  static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  static uint64_t splitmix64(uint64_t& x) {
    uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

  State s_{};
};

}  // namespace falcon
