#include "backends/byte_io.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace autosync::backends {

Result<size_t> BufferSource::read_at(uint64_t offset, std::span<char> out) const {
  if (offset >= data_.size()) return size_t{0};
  const size_t n = std::min<uint64_t>(out.size(), data_.size() - offset);
  std::memcpy(out.data(), data_.data() + offset, n);
  return n;
}

Result<size_t> FileSource::read_at(uint64_t offset, std::span<char> out) const {
  if (offset >= length_) return size_t{0};
  const size_t want = std::min<uint64_t>(out.size(), length_ - offset);
  for (;;) {
    const ssize_t n = ::pread(fd_, out.data(), want, static_cast<off_t>(base_ + offset));
    if (n >= 0) return static_cast<size_t>(n);
    if (errno != EINTR) return from_errno(errno, "read source file");
  }
}

Result<size_t> SliceSource::read_at(uint64_t offset, std::span<char> out) const {
  if (offset >= length_) return size_t{0};
  const size_t want = std::min<uint64_t>(out.size(), length_ - offset);
  return inner_.read_at(base_ + offset, out.first(want));
}

Status BufferSink::write_at(uint64_t offset, std::span<const char> data) {
  if (data_.size() < offset + data.size()) data_.resize(offset + data.size());
  std::memcpy(data_.data() + offset, data.data(), data.size());
  return {};
}

Status FileSink::write_at(uint64_t offset, std::span<const char> data) {
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::pwrite(fd_, data.data() + done, data.size() - done,
                               static_cast<off_t>(base_ + offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return from_errno(errno, "write destination file");
    }
    done += static_cast<size_t>(n);
  }
  return {};
}

Result<std::string> read_all(const ByteSource& source) {
  std::string out(source.size(), '\0');
  uint64_t done = 0;
  while (done < out.size()) {
    auto n = source.read_at(done, std::span<char>(out).subspan(done));
    if (!n.is_ok()) return n.status();
    if (*n == 0) return io_error("source ended early");
    done += *n;
  }
  return out;
}

}  // namespace autosync::backends
