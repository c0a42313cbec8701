// Outputs written atomically, protected from being inputs, cleaned up on signals.
#include "recur/output.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <new>
#include <system_error>

#include "recur/error.hpp"
#include "recur/report.hpp"

namespace recur {
namespace fs = std::filesystem;

namespace {

// Temporaries a signal handler must remove. A handler may only touch lock-free atomics and fixed
// buffers, so the paths live in a fixed table; a slot is claimed with `used` and its path is valid
// to unlink while `live` is set.
struct Slot {
  std::atomic<bool> used{false};
  std::atomic<bool> live{false};
  char path[4096] = {};
};
std::array<Slot, 16> g_slots;
std::atomic<int> g_scopes{0};         // InterruptScopes alive
std::atomic<int> g_requested{0};      // signal seen while a scope was alive
bool g_stderr_tty = false;            // decided when the handlers are installed

int claim_slot(const std::string& temp_template) {
  if (temp_template.size() >= sizeof(Slot::path)) return -1;
  for (std::size_t i = 0; i < g_slots.size(); ++i) {
    bool expected = false;
    if (g_slots[i].used.compare_exchange_strong(expected, true)) {
      std::memcpy(g_slots[i].path, temp_template.c_str(), temp_template.size() + 1);
      return static_cast<int>(i);
    }
  }
  return -1;
}

void release_slot(int slot) noexcept {
  if (slot < 0) return;
  g_slots[static_cast<std::size_t>(slot)].live = false;
  g_slots[static_cast<std::size_t>(slot)].used = false;
}

void write_all(int fd, const char* s) noexcept {
  std::size_t n = std::strlen(s);
  while (n > 0) {
    const ssize_t w = ::write(fd, s, n);
    if (w <= 0) return;
    s += w;
    n -= static_cast<std::size_t>(w);
  }
}

extern "C" void on_signal(int sig) {
  if (g_scopes.load() > 0) {
    g_requested = sig;
    return;
  }
  for (auto& s : g_slots)
    if (s.live.load()) ::unlink(s.path);
  // Erase a progress line first, so the message starts a clean line.
  write_all(STDERR_FILENO, g_stderr_tty ? "\r\x1b[Krecur: interrupted; no output written\n"
                                        : "recur: interrupted; no output written\n");
  ::_exit(128 + sig);
}

std::string errno_text() { return std::strerror(errno); }

// The path an output replaces: a symbolic link is followed (its target is replaced, the link
// stays), relative links are resolved against the link's folder.
std::string resolve_output(const std::string& path) {
  std::error_code ec;
  fs::path p(path);
  for (int hops = 0; hops < 40 && fs::is_symlink(fs::symlink_status(p, ec)); ++hops) {
    const fs::path target = fs::read_symlink(p, ec);
    if (ec) break;
    p = target.is_absolute() ? target : p.parent_path() / target;
  }
  return p.string();
}

std::string folder_of(const std::string& path) {
  const fs::path parent = fs::path(path).parent_path();
  return parent.empty() ? std::string(".") : parent.string();
}

// Permissions for a new output: those of the file it replaces, else 0666 less the umask.
mode_t output_mode(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) return st.st_mode & 07777;
  const mode_t mask = ::umask(0);
  ::umask(mask);
  return 0666 & ~mask;
}

bool identity(const std::string& path, struct stat& st) { return ::stat(path.c_str(), &st) == 0; }

}  // namespace

void PagedFileWriter::Free::operator()(char* p) const noexcept { std::free(p); }

PagedFileWriter::PagedFileWriter(int fd, int direct, std::uint64_t offset, std::size_t buffer)
    : fd_(fd), direct_(direct) {
  cap_ = std::max(kPage, (buffer + kPage - 1) / kPage * kPage);
  for (auto& b : buf_) b.reset(static_cast<char*>(std::aligned_alloc(kPage, cap_)));
  if (!buf_[0] || !buf_[1]) throw std::bad_alloc();
  start_at(offset);
}

PagedFileWriter::~PagedFileWriter() { wait(); }

// The buffer's bytes sit at the same offset within a page in memory as in the file, so that a
// whole page of the file is a page-aligned piece of the buffer, as O_DIRECT needs. A full buffer
// therefore ends on a page of the file, and only a flush or a seek leaves a partial page.
void PagedFileWriter::start_at(std::uint64_t position) {
  base_ = position;
  char* b = buf_[cur_].get();
  setp(b + position % kPage, b + cap_);
}

// Hands the buffered bytes to the writing thread and goes on filling the other buffer.
void PagedFileWriter::drain() {
  char* b = pbase();
  const std::size_t n = static_cast<std::size_t>(pptr() - b);
  const std::uint64_t pos = base_;
  wait();  // the other buffer is free again
  // The partial page at the start, the whole pages, the bytes after them.
  const bool aligned = direct_ >= 0;
  const std::size_t head = aligned && pos % kPage != 0 ? std::min<std::size_t>(n, kPage - pos % kPage) : 0;
  const std::size_t whole = aligned ? (n - head) / kPage * kPage : n - head;
  const std::size_t tail = n - head - whole;
  written_ += n;
  if (n != 0)
    writer_ = std::thread([this, b, pos, head, whole, tail] {
      put(fd_, b, head, pos);
      put(direct_ >= 0 ? direct_ : fd_, b + head, whole, pos + head);
      put(fd_, b + head + whole, tail, pos + head + whole);
    });
  cur_ = 1 - cur_;
  start_at(pos + n);
}

void PagedFileWriter::wait() {
  if (writer_.joinable()) writer_.join();
}

void PagedFileWriter::put(int fd, const char* p, std::size_t n, std::uint64_t at) {
  for (std::size_t done = 0; done < n && why_.empty();) {
    const ssize_t k = ::pwrite(fd, p + done, n - done, static_cast<off_t>(at + done));
    if (k > 0) {
      done += static_cast<std::size_t>(k);
    } else if (k == 0) {
      why_ = "no progress writing";  // never on a regular file; not a spin
    } else if (errno == EINVAL && fd == direct_ && fd != fd_) {
      // O_DIRECT refused after all (an alignment this device wants larger): the page cache, from here on.
      direct_ = -1;
      fd = fd_;
    } else if (errno != EINTR) {
      why_ = std::strerror(errno);
    }
  }
}

const std::string& PagedFileWriter::finish() {
  drain();
  wait();
  return why_;
}

PagedFileWriter::int_type PagedFileWriter::overflow(int_type ch) {
  drain();
  if (!why_.empty()) return traits_type::eof();  // an earlier buffer could not be written: the stream fails
  if (traits_type::eq_int_type(ch, traits_type::eof())) return traits_type::not_eof(ch);
  if (pptr() == epptr()) return traits_type::eof();  // cannot happen: a drained buffer has a page free
  *pptr() = traits_type::to_char_type(ch);
  pbump(1);
  return ch;
}

int PagedFileWriter::sync() { return finish().empty() ? 0 : -1; }

PagedFileWriter::pos_type PagedFileWriter::seekoff(off_type off, std::ios_base::seekdir dir,
                                                   std::ios_base::openmode which) {
  const auto here = static_cast<off_type>(base_ + static_cast<std::uint64_t>(pptr() - pbase()));
  if (!(which & std::ios_base::out) || dir == std::ios_base::end) return pos_type(off_type(-1));
  const off_type to = dir == std::ios_base::cur ? here + off : off;
  if (to < 0) return pos_type(off_type(-1));
  if (to != here) {  // tellp() asks for the position only: no flush for it
    if (!finish().empty()) return pos_type(off_type(-1));
    start_at(static_cast<std::uint64_t>(to));
  }
  return pos_type(to);
}

PagedFileWriter::pos_type PagedFileWriter::seekpos(pos_type pos, std::ios_base::openmode which) {
  return seekoff(off_type(pos), std::ios_base::beg, which);
}

int open_direct(const std::string& path) {
  for (const char* name : {"RECUR_WRITE", "RECUR_MPI_WRITE"})
    if (const char* how = std::getenv(name); how && std::string(how) == "buffered") return -1;
  return ::open(path.c_str(), O_WRONLY | O_DIRECT | O_CLOEXEC);
}

AtomicFile::AtomicFile(const std::string& path) : path_(resolve_output(path)) {
  struct stat st {};
  const bool exists = ::stat(path_.c_str(), &st) == 0;
  if (exists && S_ISDIR(st.st_mode)) throw Error(errc::usage, "-o " + path + ": is a directory; name a file");
  if (exists && !S_ISREG(st.st_mode)) {
    // A device or a pipe (/dev/null, /dev/stdout, a named pipe): written in place. Renaming a
    // temporary over it would replace the device node with a regular file.
    in_place_ = true;
    device_.open(path_, std::ios::binary);
    if (!device_) throw Error(errc::io, "cannot write " + path + ": " + errno_text());
    out_.rdbuf(device_.rdbuf());
    return;
  }
  const std::string name = fs::path(path_).filename().string();
  // A dot file with a suffix no --glob default matches, so a run listing this folder meanwhile
  // does not take the temporary for an input.
  std::string templ = (fs::path(folder_of(path_)) / ("." + name + ".recur-tmp-XXXXXX")).string();
  slot_ = claim_slot(templ);
  char* buf = slot_ >= 0 ? g_slots[static_cast<std::size_t>(slot_)].path : templ.data();
  if (slot_ >= 0) g_slots[static_cast<std::size_t>(slot_)].live = true;
  const int fd = ::mkstemp(buf);
  if (fd < 0) {
    const std::string why = errno_text();
    release_slot(slot_);
    slot_ = -1;
    throw Error(errc::io, "cannot write " + path + ": " + why);
  }
  temp_ = buf;
  fd_ = fd;
  ::fchmod(fd, output_mode(path_));
  direct_fd_ = open_direct(temp_);
  writer_ = std::make_unique<PagedFileWriter>(fd_, direct_fd_, 0);
  out_.rdbuf(writer_.get());
}

// The writer first: it joins its thread, which may still be writing into the descriptors.
void AtomicFile::close_file() noexcept {
  out_.rdbuf(nullptr);
  writer_.reset();
  if (direct_fd_ >= 0) ::close(direct_fd_);
  if (fd_ >= 0) ::close(fd_);
  direct_fd_ = fd_ = -1;
  if (device_.is_open()) device_.close();
}

AtomicFile::~AtomicFile() {
  if (!committed_) discard();
}

void AtomicFile::discard() noexcept {
  close_file();
  if (in_place_) return;
  if (!temp_.empty()) ::unlink(temp_.c_str());
  temp_.clear();
  release_slot(slot_);
  slot_ = -1;
}

void AtomicFile::commit() {
  out_.flush();
  if (in_place_) {
    const bool ok = static_cast<bool>(out_);
    device_.close();
    const bool closed = !device_.fail();
    out_.rdbuf(nullptr);
    committed_ = true;
    if (!ok || !closed) throw Error(errc::io, "error writing " + path_);
    return;
  }
  const std::string why = writer_ ? writer_->finish() : std::string("not open");
  if (!out_ || !why.empty()) {
    discard();
    throw Error(errc::io, "error writing " + path_ + (why.empty() ? std::string() : ": " + why) +
                              " (disk full?); the previous file, if any, is unchanged");
  }
  // Sync before the rename, so that a crash cannot leave the final name on an empty file.
  const bool synced = ::fsync(fd_) == 0;
  const std::string sync_why = synced ? std::string() : errno_text();
  const int fd = fd_;
  fd_ = -1;  // closed here, where its error counts
  close_file();
  const bool closed = ::close(fd) == 0;
  if (!synced || !closed || ::rename(temp_.c_str(), path_.c_str()) != 0) {
    const std::string why = !synced ? sync_why : errno_text();
    discard();
    throw Error(errc::io, "cannot write " + path_ + ": " + why + "; the previous file, if any, is unchanged");
  }
  committed_ = true;
  temp_.clear();
  release_slot(slot_);
  slot_ = -1;
  const int dir = ::open(folder_of(path_).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
}

AtomicFolder::AtomicFolder(const std::string& path, bool replace) : path_(path), replace_(replace) {
  std::error_code ec;
  const fs::file_status st = fs::status(path_, ec);
  if (fs::exists(st)) {
    if (!fs::is_directory(st)) throw Error(errc::usage, "-o " + path + ": exists and is not a folder");
    if (!fs::is_empty(path_, ec) && !replace_)
      throw Error(errc::usage, "-o " + path + ": the folder is not empty; name a new or empty folder, or add "
                               "--force to replace its contents");
  }
  const std::string name = fs::path(path_).lexically_normal().filename().string();
  std::string templ = (fs::path(folder_of(fs::path(path_).lexically_normal().string())) /
                       ("." + (name.empty() ? std::string("out") : name) + ".recur-tmp-XXXXXX"))
                          .string();
  if (::mkdtemp(templ.data()) == nullptr) throw Error(errc::io, "cannot create a folder next to " + path + ": " + errno_text());
  temp_ = templ;
}

AtomicFolder::~AtomicFolder() {
  if (committed_ || temp_.empty()) return;
  std::error_code ec;
  fs::remove_all(temp_, ec);
}

void AtomicFolder::commit() {
  std::error_code ec;
  std::string old;
  if (fs::exists(path_, ec)) {
    // Move the old folder aside first: the final name then holds either the old or the new folder.
    old = temp_ + ".old";
    if (::rename(path_.c_str(), old.c_str()) != 0)
      throw Error(errc::io, "cannot replace " + path_ + ": " + errno_text());
  }
  if (::rename(temp_.c_str(), path_.c_str()) != 0) {
    const std::string why = errno_text();
    if (!old.empty()) ::rename(old.c_str(), path_.c_str());
    throw Error(errc::io, "cannot move the new folder to " + path_ + ": " + why);
  }
  committed_ = true;
  if (!old.empty()) fs::remove_all(old, ec);
}

void install_interrupt_handlers() {
  g_stderr_tty = ::isatty(STDERR_FILENO) == 1;
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) ::sigaction(sig, &sa, nullptr);
}

InterruptScope::InterruptScope() { ++g_scopes; }
InterruptScope::~InterruptScope() { --g_scopes; }

int interrupt_requested() noexcept { return g_requested.load(); }

void protect_inputs(const std::string& output, InputList& inputs) {
  if (output.empty() || output == "-") return;
  struct stat out {};
  if (!identity(output, out) || !S_ISREG(out.st_mode)) return;  // a new file cannot be an input
  for (std::size_t i = 0; i < inputs.files.size(); ++i) {
    const InputFile& f = inputs.files[i];
    if (f.data || f.device != static_cast<std::uint64_t>(out.st_dev) ||
        f.inode != static_cast<std::uint64_t>(out.st_ino))
      continue;
    std::vector<std::string> got;
    const ByteRange range{0, std::min<std::uint64_t>(f.size, 512)};
    const bool own = read_ranges(f.path, {&range, 1}, got).ok() && looks_like_recur_output(got[0]);
    if (!own)
      throw Error(errc::usage, "-o " + output + " is the input file " + f.path +
                                   "; recur never writes over an input (name another output file)");
    inputs.problems.emplace_back(f.path, "recur's previous report at the output path (-o): not read, replaced",
                                 StatusCode::recur_output);
    inputs.files.erase(inputs.files.begin() + static_cast<std::ptrdiff_t>(i));
    --i;
  }
}

void refuse_same_file(const std::string& output, const std::string& input, const std::string& what) {
  if (output.empty() || output == "-" || input.empty()) return;
  struct stat a {}, b {};
  if (identity(output, a) && identity(input, b) && a.st_dev == b.st_dev && a.st_ino == b.st_ino)
    throw Error(errc::usage, "-o " + output + " is the file read by " + what + " (" + input +
                                 "); recur never writes over an input");
}

}  // namespace recur
