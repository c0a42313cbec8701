// File-system adapter: finding inputs, reading bytes.
#include "recur/corpus.hpp"

#include <fcntl.h>
#include <fnmatch.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <system_error>

namespace recur {
namespace fs = std::filesystem;

namespace {


// Unique file descriptor.
struct Fd {
  int fd = -1;
  explicit Fd(int f) : fd(f) {}
  ~Fd() { if (fd >= 0) ::close(fd); }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
};

// Reads everything `fd` gives until end of file.
Status read_stream(int fd, std::string& out) {
  char buf[65536];
  while (true) {
    const ssize_t r = ::read(fd, buf, sizeof buf);
    if (r < 0) {
      if (errno == EINTR) continue;
      return status_from_errno(errno, "read error");
    }
    if (r == 0) return {};
    try {
      out.append(buf, static_cast<std::size_t>(r));
    } catch (const std::bad_alloc&) {
      return {StatusCode::too_large,
              "too large to read into memory (more than " + std::to_string(out.size()) + " bytes)"};
    }
  }
}

// A stream input, read now: it cannot be read twice.
void add_stream(InputList& list, const std::string& name, int fd) {
  auto data = std::make_shared<std::string>();
  if (Status s = read_stream(fd, *data); !s.ok()) {
    list.problems.emplace_back(name, s);
    return;
  }
  InputFile f;
  f.path = name;
  f.size = data->size();
  f.data = std::move(data);
  list.files.push_back(std::move(f));
}

InputFile regular_file(std::string path, const struct stat& st) {
  InputFile f;
  f.path = std::move(path);
  f.size = static_cast<std::uint64_t>(st.st_size);
  f.device = static_cast<std::uint64_t>(st.st_dev);
  f.inode = static_cast<std::uint64_t>(st.st_ino);
  return f;
}

}  // namespace

InputList find_inputs(const std::vector<std::string>& paths, const std::string& glob,
                      const std::string& stdin_name) {
  InputList list;
  bool stdin_read = false;
  for (const std::string& arg : paths) {
    if (arg == "-") {
      // Standard input is read once, however often "-" is given.
      if (!stdin_read) add_stream(list, stdin_name, STDIN_FILENO);
      stdin_read = true;
      continue;
    }
    struct stat st {};
    if (::stat(arg.c_str(), &st) != 0) {
      list.problems.emplace_back(arg, status_from_errno(errno, "cannot open"));
      continue;
    }
    if (S_ISREG(st.st_mode)) {
      list.files.push_back(regular_file(arg, st));
      continue;
    }
    if (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode)) {
      // Named on the command line: the user means it (/dev/stdin, a named pipe, <(...)).
      Fd f(::open(arg.c_str(), O_RDONLY | O_CLOEXEC));
      if (f.fd < 0) list.problems.emplace_back(arg, status_from_errno(errno, "cannot open"));
      else add_stream(list, arg, f.fd);
      continue;
    }
    if (!S_ISDIR(st.st_mode)) {
      list.problems.emplace_back(arg, "not a regular file, stream or directory", StatusCode::not_regular);
      continue;
    }
    std::size_t found = 0;
    std::error_code ec;
    fs::recursive_directory_iterator it(arg, fs::directory_options::none, ec), end;
    if (ec) {
      list.problems.emplace_back(arg, "cannot read directory: " + ec.message(), StatusCode::read_error);
      continue;
    }
    for (; it != end; it.increment(ec)) {
      if (ec) break;
      const fs::directory_entry& e = *it;
      std::error_code ec2;
      if (e.is_directory(ec2) && !e.is_symlink(ec2)) continue;
      const std::string name = e.path().filename().string();
      if (::fnmatch(glob.c_str(), name.c_str(), 0) != 0) continue;
      // The iterator's path is the argument joined with the entry's path under it, as the user
      // wrote it; links are not resolved (a link is reported under its own name).
      const std::string path = e.path().string();
      struct stat fst {};
      if (::stat(path.c_str(), &fst) != 0) {
        list.problems.emplace_back(path, status_from_errno(errno, "cannot open"));
        ++found;
        continue;
      }
      if (S_ISDIR(fst.st_mode)) continue;  // a link to a directory: not followed
      if (!S_ISREG(fst.st_mode)) {
        list.problems.emplace_back(path, "not a regular file", StatusCode::not_regular);
        ++found;
        continue;
      }
      list.files.push_back(regular_file(path, fst));
      ++found;
    }
    if (ec) {
      // The iterator cannot continue past an unreadable entry; say so rather than drop it quietly.
      list.problems.emplace_back(arg, "directory only partly read: " + ec.message(), StatusCode::read_error);
      continue;
    }
    if (found == 0) list.problems.emplace_back(arg, "directory has no files matching '" + glob + "'", StatusCode::no_match);
  }
  std::sort(list.files.begin(), list.files.end(),
            [](const InputFile& a, const InputFile& b) { return a.path < b.path; });
  list.files.erase(std::unique(list.files.begin(), list.files.end(),
                               [](const InputFile& a, const InputFile& b) { return a.path == b.path; }),
                   list.files.end());
  std::sort(list.problems.begin(), list.problems.end(),
            [](const Skipped& a, const Skipped& b) { return a.path < b.path; });
  return list;
}

Status read_file(const std::string& path, std::string& out) {
  Fd f(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (f.fd < 0) return status_from_errno(errno, "cannot open");
  struct stat st {};
  if (::fstat(f.fd, &st) != 0) return status_from_errno(errno, "cannot stat");
  if (S_ISDIR(st.st_mode)) return {StatusCode::not_regular, "is a directory"};
  // Resized without clearing first: only bytes beyond the old size are zeroed before read()
  // overwrites them, and the caller passes the previous input's buffer (index_inputs), which is
  // usually as large.
  try {
    out.resize(static_cast<std::size_t>(st.st_size));
  } catch (const std::bad_alloc&) {
    return {StatusCode::too_large, "too large to read into memory (" + std::to_string(st.st_size) + " bytes)"};
  }
  std::size_t got = 0;
  while (got < out.size()) {
    ssize_t r = ::read(f.fd, out.data() + got, out.size() - got);
    if (r < 0) {
      if (errno == EINTR) continue;
      return status_from_errno(errno, "read error");
    }
    if (r == 0) break;
    got += static_cast<std::size_t>(r);
  }
  out.resize(got);
  // Files that grow while being read (or report size 0, like /proc files): read the rest.
  char buf[65536];
  while (true) {
    ssize_t r = ::read(f.fd, buf, sizeof buf);
    if (r < 0) {
      if (errno == EINTR) continue;
      return status_from_errno(errno, "read error");
    }
    if (r == 0) break;
    out.append(buf, static_cast<std::size_t>(r));
  }
  return {};
}

Status read_ranges(const std::string& path, std::span<const ByteRange> ranges,
                   std::vector<std::string>& out) {
  out.assign(ranges.size(), {});
  if (ranges.empty()) return {};
  // On failure no text is left half read: every range comes back empty.
  auto fail = [&](Status why) {
    out.assign(ranges.size(), {});
    return why;
  };
  for (const auto& [begin, end] : ranges)
    if (end < begin) return fail({StatusCode::read_error, "invalid byte range"});
  Fd f(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (f.fd < 0) return fail(status_from_errno(errno, "cannot open"));
  auto pread_all = [&](char* to, std::uint64_t size, std::uint64_t at) -> Status {
    for (std::uint64_t got = 0; got < size;) {
      ssize_t r = ::pread(f.fd, to + got, size - got, static_cast<off_t>(at + got));
      if (r < 0) {
        if (errno == EINTR) continue;
        return status_from_errno(errno, "read error");
      }
      if (r == 0) return {StatusCode::changed, "file is shorter than expected (changed during the run?)"};
      got += static_cast<std::uint64_t>(r);
    }
    return {};
  };
  // Ranges close together in the file are read with one system call and cut apart in memory:
  // where most paragraphs of a file are wanted (a corpus dense with reuse), one pread per
  // paragraph was most of the verify stage's reading time, system calls being dear in a VM.
  constexpr std::uint64_t kGap = 64 << 10, kSpan = 8 << 20;
  std::vector<std::size_t> order(ranges.size());
  for (std::size_t k = 0; k < order.size(); ++k) order[k] = k;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return ranges[a].first < ranges[b].first; });
  // Not a std::string: resizing one writes zeros over every byte that pread then overwrites (on
  // a dense corpus, whose files are read back nearly whole, as much time as the copy itself).
  std::unique_ptr<char[]> span;
  std::size_t span_capacity = 0;
  for (std::size_t i = 0; i < order.size();) {
    const std::uint64_t first = ranges[order[i]].first;
    std::uint64_t last = ranges[order[i]].second;
    std::size_t j = i + 1;
    while (j < order.size() && ranges[order[j]].first <= last + kGap &&
           std::max(last, ranges[order[j]].second) - first <= kSpan)
      last = std::max(last, ranges[order[j++]].second);
    if (j == i + 1) {
      std::string& text = out[order[i]];
      text.resize(static_cast<std::size_t>(last - first));
      if (Status s = pread_all(text.data(), text.size(), first); !s.ok()) return fail(std::move(s));
    } else {
      const auto size = static_cast<std::size_t>(last - first);
      if (size > span_capacity) {
        span = std::make_unique_for_overwrite<char[]>(size);
        span_capacity = size;
      }
      if (Status s = pread_all(span.get(), size, first); !s.ok()) return fail(std::move(s));
      for (std::size_t k = i; k < j; ++k) {
        const auto [b, e] = ranges[order[k]];
        out[order[k]].assign(span.get() + (b - first), static_cast<std::size_t>(e - b));
      }
    }
    i = j;
  }
  return {};
}

std::unique_ptr<FileSpill> FileSpill::create(const std::string& dir, std::string& error) {
  int fd = ::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0 && (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL)) {  // no O_TMPFILE here
    std::string name = (std::filesystem::path(dir) / "recur-spill-XXXXXX").string();
    fd = ::mkostemp(name.data(), O_CLOEXEC);
    if (fd >= 0) ::unlink(name.c_str());
  }
  if (fd < 0) {
    error = "cannot make a temporary file in " + dir + ": " + std::strerror(errno);
    return nullptr;
  }
  return std::unique_ptr<FileSpill>(new FileSpill(fd));
}

FileSpill::~FileSpill() { ::close(fd_); }

std::uint64_t FileSpill::reserve(std::uint64_t values) { return end_.fetch_add(values); }

namespace {

// pread/pwrite of all `size` bytes at `at`, resumed after short transfers and EINTR.
template <typename Call>
bool transfer_all(Call call, char* bytes, std::size_t size, std::uint64_t at) {
  while (size > 0) {
    const ssize_t r = call(bytes, size, static_cast<off_t>(at));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    bytes += r;
    size -= static_cast<std::size_t>(r);
    at += static_cast<std::uint64_t>(r);
  }
  return true;
}

}  // namespace

bool FileSpill::write(std::uint64_t at, std::span<const std::uint32_t> values) {
  if (at + values.size() > end_.load()) return false;
  // pwrite does not write through the pointer; the cast only fits transfer_all's one signature.
  return transfer_all([&](char* p, std::size_t n, off_t off) { return ::pwrite(fd_, p, n, off); },
                      const_cast<char*>(reinterpret_cast<const char*>(values.data())), values.size_bytes(),
                      at * sizeof(std::uint32_t));
}

bool FileSpill::read(std::uint64_t at, std::span<std::uint32_t> out) const {
  if (at + out.size() > end_.load()) return false;
  return transfer_all([&](char* p, std::size_t n, off_t off) { return ::pread(fd_, p, n, off); },
                      reinterpret_cast<char*>(out.data()), out.size_bytes(), at * sizeof(std::uint32_t));
}

std::string default_temp_dir() {
  const char* dir = std::getenv("TMPDIR");
  return dir && *dir ? dir : "/tmp";
}

Status read_input(const InputFile& input, std::string& out) {
  if (!input.data) return read_file(input.path, out);
  out.assign(*input.data);
  return {};
}

Status read_input_ranges(const InputFile& input, std::span<const ByteRange> ranges,
                         std::vector<std::string>& out) {
  if (!input.data) return read_ranges(input.path, ranges, out);
  return copy_ranges(*input.data, ranges, out);
}

FileStamp stamp_of(const InputFile& input) {
  if (input.data) return {input.data->size(), 0};
  return stamp_of(input.path);
}

FileStamp stamp_of(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return {};
  return {static_cast<std::uint64_t>(st.st_size),
          static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec};
}

}  // namespace recur
