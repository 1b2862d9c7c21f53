// Where a transfer's bytes come from and go to: memory or a file, addressed by offset.
//
// Sources and sinks are positional so that a retried request can start again from offset 0
// and parallel parts of one transfer can share a single file without a shared cursor.
// A FileSource/FileSink borrows its descriptor; the caller keeps it open for the transfer.
// Thread-safety: read_at/write_at may be called from several threads at once on different
// ranges (pread/pwrite for files); BufferSink is the exception (one writer).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "core/base/result.h"

namespace autosync::backends {

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  virtual uint64_t size() const = 0;
  // Reads up to out.size() bytes at `offset`; returns the count (0 only at the end).
  virtual Result<size_t> read_at(uint64_t offset, std::span<char> out) const = 0;
};

class ByteSink {
 public:
  virtual ~ByteSink() = default;
  // Writes all of `data` at `offset` (relative to the start of the transfer).
  virtual Status write_at(uint64_t offset, std::span<const char> data) = 0;
};

// Reads from memory the caller owns.
class BufferSource final : public ByteSource {
 public:
  explicit BufferSource(std::string_view data) : data_(data) {}
  uint64_t size() const override { return data_.size(); }
  Result<size_t> read_at(uint64_t offset, std::span<char> out) const override;

 private:
  std::string_view data_;
};

// Reads [offset, offset + length) of an open file.
class FileSource final : public ByteSource {
 public:
  FileSource(int fd, uint64_t offset, uint64_t length) : fd_(fd), base_(offset), length_(length) {}
  uint64_t size() const override { return length_; }
  Result<size_t> read_at(uint64_t offset, std::span<char> out) const override;

 private:
  int fd_;
  uint64_t base_;
  uint64_t length_;
};

// A window [offset, offset + length) of another source (one multipart part of a file).
class SliceSource final : public ByteSource {
 public:
  SliceSource(const ByteSource& inner, uint64_t offset, uint64_t length)
      : inner_(inner), base_(offset), length_(length) {}
  uint64_t size() const override { return length_; }
  Result<size_t> read_at(uint64_t offset, std::span<char> out) const override;

 private:
  const ByteSource& inner_;
  uint64_t base_;
  uint64_t length_;
};

// Collects bytes into a string it owns; grows as needed.
class BufferSink final : public ByteSink {
 public:
  Status write_at(uint64_t offset, std::span<const char> data) override;
  const std::string& data() const { return data_; }
  std::string take() { return std::move(data_); }

 private:
  std::string data_;
};

// Writes at `base + offset` of an open file.
class FileSink final : public ByteSink {
 public:
  explicit FileSink(int fd, uint64_t base = 0) : fd_(fd), base_(base) {}
  Status write_at(uint64_t offset, std::span<const char> data) override;

 private:
  int fd_;
  uint64_t base_;
};

// Reads a whole source into memory (small bodies: XML requests, test data).
Result<std::string> read_all(const ByteSource& source);

}  // namespace autosync::backends
