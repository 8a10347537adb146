#pragma once
// Validators for falcon-run's numeric options that say in words what is wrong ("--top-k: 'abc'
// is not a whole number"), where CLI11's own say "Could not convert" or print a range with a
// 300-digit bound.
#include <CLI/CLI.hpp>
#include <cstdint>

namespace falcon::cli {

// A whole number in [min, max] (decimal; no sign for min >= 0 is needed, "+5" and "1.0" are not).
CLI::Validator whole_number(std::int64_t min, std::int64_t max);
// Any whole number from 0 to 2^64 - 1 (seeds).
CLI::Validator unsigned_whole_number();
// A finite decimal number ("0.7", "1e-3"); its range is checked where the setting is used.
CLI::Validator real_number();

}  // namespace falcon::cli
