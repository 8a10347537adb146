#include "core/common/file_read.h"

#include <fstream>

#include "core/common/error.h"

namespace falcon {

std::string read_file_bounded(const std::filesystem::path& path, uint64_t max_bytes) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(status))
    throw_load_error("cannot read " + path.string() + ": it does not exist");
  if (!std::filesystem::is_regular_file(status))
    throw_load_error("cannot read " + path.string() + ": not a regular file");
  const uint64_t size = std::filesystem::file_size(path, ec);
  const std::string limit = std::to_string(max_bytes >> 20) + " MiB";
  if (!ec && size > max_bytes) {
    throw_load_error(path.string() + " is " + std::to_string(size) + " bytes, more than the " + limit +
                     " such a file may have");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw_load_error("cannot read " + path.string());
  std::string out;
  out.reserve(ec ? 0 : static_cast<std::size_t>(size));
  char buf[1 << 16];
  while (in) {
    in.read(buf, sizeof buf);
    out.append(buf, static_cast<std::size_t>(in.gcount()));
    if (out.size() > max_bytes)
      throw_load_error(path.string() + " is larger than the " + limit + " such a file may have");
  }
  if (in.bad()) throw_load_error("cannot read " + path.string() + ": I/O error");
  return out;
}

}  // namespace falcon
