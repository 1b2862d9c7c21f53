// Table: autosyncctl's readable output — columns padded to their widest cell, a header line,
// no borders; and the sizes and times it shows. Threading: a value type, one thread.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

namespace autosync::ctl {

class Table {
 public:
  explicit Table(std::vector<std::string> header) : header_(std::move(header)) {}
  void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  bool empty() const { return rows_.empty(); }
  void print(std::ostream& out) const;

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
};

// "0 B", "512 B", "1.5 KiB", "20.0 GiB".
std::string human_size(uint64_t bytes);

// "key: value" lines with the keys padded to one width.
void print_fields(std::ostream& out,
                  const std::vector<std::pair<std::string, std::string>>& fields);

}  // namespace autosync::ctl
