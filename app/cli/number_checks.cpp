#include "app/cli/number_checks.h"

#include <charconv>
#include <cmath>
#include <string>
#include <system_error>

namespace falcon::cli {
namespace {

std::string in_quotes(const std::string& s) {
  return "'" + s + "'";
}

}  // namespace

CLI::Validator whole_number(std::int64_t min, std::int64_t max) {
  const std::string range = std::to_string(min) + " to " + std::to_string(max);
  return CLI::Validator(
      [min, max, range](std::string& s) -> std::string {
        std::int64_t v = 0;
        const char* end = s.data() + s.size();
        const auto [ptr, ec] = std::from_chars(s.data(), end, v);
        if (ptr != end || (ec != std::errc() && ec != std::errc::result_out_of_range) || s.empty())
          return in_quotes(s) + " is not a whole number (" + range + ")";
        if (ec == std::errc::result_out_of_range || v < min || v > max)
          return s + " is out of range (" + range + ")";
        return {};
      },
      "");
}

CLI::Validator unsigned_whole_number() {
  return CLI::Validator(
      [](std::string& s) -> std::string {
        std::uint64_t v = 0;
        const char* end = s.data() + s.size();
        const auto [ptr, ec] = std::from_chars(s.data(), end, v);
        if (s.empty() || ptr != end || ec != std::errc())
          return in_quotes(s) + " is not a whole number from 0 to 18446744073709551615";
        return {};
      },
      "");
}

CLI::Validator real_number() {
  return CLI::Validator(
      [](std::string& s) -> std::string {
        double v = 0;
        const char* end = s.data() + s.size();
        const auto [ptr, ec] = std::from_chars(s.data(), end, v);
        if (s.empty() || ptr != end || ec != std::errc() || !std::isfinite(v))
          return in_quotes(s) + " is not a number";
        return {};
      },
      "");
}

}  // namespace falcon::cli
