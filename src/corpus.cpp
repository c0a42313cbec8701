// File-system adapter: finding inputs, reading bytes.
#include "recur/corpus.hpp"

#include <fcntl.h>
#include <fnmatch.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

namespace recur {
namespace fs = std::filesystem;

namespace {

std::string errno_text(int err) { return std::strerror(err); }

// Unique file descriptor.
struct Fd {
  int fd = -1;
  explicit Fd(int f) : fd(f) {}
  ~Fd() { if (fd >= 0) ::close(fd); }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
};

}  // namespace

InputList find_inputs(const std::vector<std::string>& paths, const std::string& glob) {
  InputList list;
  for (const std::string& arg : paths) {
    struct stat st {};
    if (::stat(arg.c_str(), &st) != 0) {
      list.problems.push_back({arg, "cannot open: " + errno_text(errno)});
      continue;
    }
    if (S_ISREG(st.st_mode)) {
      list.files.push_back({arg, static_cast<std::uint64_t>(st.st_size)});
      continue;
    }
    if (!S_ISDIR(st.st_mode)) {
      list.problems.push_back({arg, "not a regular file or directory"});
      continue;
    }
    std::size_t found = 0;
    std::error_code ec;
    fs::recursive_directory_iterator it(arg, fs::directory_options::none, ec), end;
    if (ec) {
      list.problems.push_back({arg, "cannot read directory: " + ec.message()});
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
        list.problems.push_back({path, "cannot open: " + errno_text(errno)});
        ++found;
        continue;
      }
      if (S_ISDIR(fst.st_mode)) continue;  // a link to a directory: not followed
      if (!S_ISREG(fst.st_mode)) {
        list.problems.push_back({path, "not a regular file"});
        ++found;
        continue;
      }
      list.files.push_back({path, static_cast<std::uint64_t>(fst.st_size)});
      ++found;
    }
    if (ec) {
      // The iterator cannot continue past an unreadable entry; say so rather than drop it quietly.
      list.problems.push_back({arg, "directory only partly read: " + ec.message()});
      continue;
    }
    if (found == 0) list.problems.push_back({arg, "directory has no files matching '" + glob + "'"});
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

bool read_file(const std::string& path, std::string& out, std::string& reason) {
  Fd f(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (f.fd < 0) {
    reason = "cannot open: " + errno_text(errno);
    return false;
  }
  struct stat st {};
  if (::fstat(f.fd, &st) != 0) {
    reason = "cannot stat: " + errno_text(errno);
    return false;
  }
  if (S_ISDIR(st.st_mode)) {
    reason = "is a directory";
    return false;
  }
  out.clear();
  try {
    out.resize(static_cast<std::size_t>(st.st_size));
  } catch (const std::bad_alloc&) {
    reason = "too large to read into memory (" + std::to_string(st.st_size) + " bytes)";
    return false;
  }
  std::size_t got = 0;
  while (got < out.size()) {
    ssize_t r = ::read(f.fd, out.data() + got, out.size() - got);
    if (r < 0) {
      if (errno == EINTR) continue;
      reason = "read error: " + errno_text(errno);
      return false;
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
      reason = "read error: " + errno_text(errno);
      return false;
    }
    if (r == 0) break;
    out.append(buf, static_cast<std::size_t>(r));
  }
  return true;
}

bool read_ranges(const std::string& path, std::span<const std::pair<std::uint64_t, std::uint64_t>> ranges,
                 std::vector<std::string>& out, std::string& reason) {
  out.assign(ranges.size(), {});
  if (ranges.empty()) return true;
  // On failure no text is left half read: every range comes back empty.
  auto fail = [&](std::string why) {
    out.assign(ranges.size(), {});
    reason = std::move(why);
    return false;
  };
  Fd f(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (f.fd < 0) return fail("cannot open: " + errno_text(errno));
  for (std::size_t k = 0; k < ranges.size(); ++k) {
    const auto [begin, end] = ranges[k];
    if (end < begin) return fail("invalid byte range");
    std::string& text = out[k];
    text.resize(static_cast<std::size_t>(end - begin));
    std::size_t got = 0;
    while (got < text.size()) {
      ssize_t r = ::pread(f.fd, text.data() + got, text.size() - got, static_cast<off_t>(begin + got));
      if (r < 0) {
        if (errno == EINTR) continue;
        return fail("read error: " + errno_text(errno));
      }
      if (r == 0) return fail("file is shorter than expected (changed during the run?)");
      got += static_cast<std::size_t>(r);
    }
  }
  return true;
}

FileStamp stamp_of(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return {};
  return {static_cast<std::uint64_t>(st.st_size),
          static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec};
}

}  // namespace recur
