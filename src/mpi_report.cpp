// recur report across MPI ranks (mpi.hpp): the stages of run_report (src/pipeline.cpp), each over a
// rank's shard, joined by exchanges of plain records. Everything that decides the output (ids,
// buckets, pairs, edges, the clustering, the members) is what one process computes; only where it
// is computed differs, so the report is byte-identical for any number of ranks.
//
// Exchanges are MPI_Alltoallv of trivially copyable records in rounds of at most kChunk bytes per
// rank (so no int count or displacement overflows, and the exchange buffer is bounded); Boost.MPI
// only sets MPI up and names the communicator.
#include "recur/mpi.hpp"

#include <mpi.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <boost/mpi/communicator.hpp>
#include <boost/mpi/environment.hpp>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <csignal>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <new>
#include <optional>
#include <tuple>
#include <span>
#include <stdexcept>
#include <streambuf>
#include <type_traits>
#include <unordered_map>

#include "parallel.hpp"
#include "recur/error.hpp"
#include "recur/html.hpp"
#include "recur/index.hpp"
#include "recur/materialise.hpp"
#include "recur/output.hpp"
#include "recur/run.hpp"  // report_spill
#include "recur/scan.hpp"
#include "recur/verify.hpp"

namespace recur {

struct MpiSession::Impl {
  boost::mpi::environment env{boost::mpi::threading::funneled, false};
  boost::mpi::communicator world;
};

// The exchanges allocate and free buffers of megabytes band after band, and the report stage
// reuses what verification freed: the heap keeps freed memory for that (no mmap, never trimmed),
// set for every recur process by tune_heap (src/cli/heap.cpp) before MPI starts. Without it the
// band shuffle faulted its buffers in again band after band (lsh 3.3 s against 0.3 s on 100 MiB).
MpiSession::MpiSession() : impl_(std::make_unique<Impl>()) {}
MpiSession::~MpiSession() = default;
int MpiSession::rank() const noexcept { return impl_->world.rank(); }
int MpiSession::size() const noexcept { return impl_->world.size(); }
void MpiSession::abort(const std::string& message, int code) const {
  std::cerr << message << std::endl;
  MPI_Abort(impl_->world, code);
  std::_Exit(code);  // MPI_Abort does not return; in case it does
}

namespace {

// ---------------------------------------------------------------------------------------------
// Bytes on the wire.

// Bytes of one exchange round per rank (send side): 64 MiB, or RECUR_MPI_CHUNK_BYTES (the identity
// test makes it tiny, so that every exchange takes many rounds).
std::size_t chunk_bytes() {
  std::size_t chunk = std::size_t{64} << 20;
  if (const char* v = std::getenv("RECUR_MPI_CHUNK_BYTES"); v && *v) chunk = std::strtoull(v, nullptr, 10);
  return std::clamp<std::size_t>(chunk, 64, std::size_t{1} << 30);
}

struct Traffic {
  std::uint64_t sent = 0, received = 0, rounds = 0;
};

// One MPI_Alltoallv round, shared by exchange() and exchange_records(): part(d) = {bytes, size}
// goes to rank d, packed into one send buffer; `from[s]` are the bytes rank s sends here this
// round (the callers exchange the sizes first). What arrives stays in `recv`, rank s's part at
// [rd[s], rd[s] + rc[s]): exchange() copies it out, exchange_records() reads it in place. The
// buffers are kept from round to round, so a long exchange touches them once. The caller makes
// sure every total fits an int.
struct Round {
  std::vector<char> send, recv;
  std::vector<int> sc, sd, rc, rd;

  template <class Part>
  void run(MPI_Comm comm, int n, int me, Part&& part, const std::vector<std::uint64_t>& from, Traffic& traffic) {
    sc.resize(n), sd.resize(n), rc.resize(n), rd.resize(n);
    std::size_t at = 0;
    for (int d = 0; d < n; ++d) {
      sc[d] = static_cast<int>(part(d).second);
      sd[d] = static_cast<int>(at);
      at += part(d).second;
      if (d != me) traffic.sent += part(d).second;
    }
    // One part only (at np = 2, every round of exchange_records): sent from where it is, not copied.
    const int parts = static_cast<int>(std::count_if(sc.begin(), sc.end(), [](int c) { return c != 0; }));
    const void* base = nullptr;
    if (parts == 1) {
      for (int d = 0; d < n; ++d)
        if (sc[d] != 0) base = part(d).first;
      std::fill(sd.begin(), sd.end(), 0);
    } else {
      send.resize(at);
      base = send.data();
      for (int d = 0; d < n; ++d)
        if (sc[d]) std::memcpy(send.data() + sd[d], part(d).first, static_cast<std::size_t>(sc[d]));
    }
    at = 0;
    for (int s = 0; s < n; ++s) {
      rc[s] = static_cast<int>(from[static_cast<std::size_t>(s)]);
      rd[s] = static_cast<int>(at);
      at += from[static_cast<std::size_t>(s)];
      if (s != me) traffic.received += from[static_cast<std::size_t>(s)];
    }
    recv.resize(at);
    MPI_Alltoallv(base, sc.data(), sd.data(), MPI_BYTE, recv.data(), rc.data(), rd.data(), MPI_BYTE, comm);
    ++traffic.rounds;
  }
};

// Sends out[d] to rank d; returns what each rank sent here, by source rank. In rounds of at most
// chunk_bytes() in all (each destination gets at most chunk / (sizeof(T) * N) records per round),
// so every count and displacement fits an int.
template <class T>
std::vector<std::vector<T>> exchange(MPI_Comm comm, const std::vector<std::vector<T>>& out, Traffic& traffic) {
  static_assert(std::is_trivially_copyable_v<T>);
  int n = 0, me = 0;
  MPI_Comm_size(comm, &n);
  MPI_Comm_rank(comm, &me);
  const std::size_t per_dest = std::max<std::size_t>(1, chunk_bytes() / sizeof(T) / static_cast<std::size_t>(n));
  std::uint64_t most = 0;
  for (const auto& v : out) most = std::max<std::uint64_t>(most, v.size());
  MPI_Allreduce(MPI_IN_PLACE, &most, 1, MPI_UINT64_T, MPI_MAX, comm);
  const std::size_t rounds = (most + per_dest - 1) / per_dest;
  std::vector<std::vector<T>> in(static_cast<std::size_t>(n));
  std::vector<std::uint64_t> to(static_cast<std::size_t>(n)), from(static_cast<std::size_t>(n));
  Round r;
  for (std::size_t round = 0; round < rounds; ++round) {
    const auto part = [&](int d) {
      const auto& v = out[static_cast<std::size_t>(d)];
      const std::size_t first = std::min(v.size(), round * per_dest), last = std::min(v.size(), first + per_dest);
      return std::pair<const void*, std::size_t>{v.data() + first, (last - first) * sizeof(T)};
    };
    for (int d = 0; d < n; ++d) to[static_cast<std::size_t>(d)] = part(d).second;
    MPI_Alltoall(to.data(), 1, MPI_UINT64_T, from.data(), 1, MPI_UINT64_T, comm);
    r.run(comm, n, me, part, from, traffic);
    for (int s = 0; s < n; ++s) {
      auto& v = in[static_cast<std::size_t>(s)];
      const std::size_t k = v.size(), add = static_cast<std::size_t>(r.rc[s]) / sizeof(T);
      v.resize(k + add);
      if (add) std::memcpy(v.data() + k, r.recv.data() + r.rd[s], static_cast<std::size_t>(r.rc[s]));
    }
  }
  return in;
}

template <class T>
std::vector<T> concat(std::vector<std::vector<T>> parts) {
  std::vector<T> all;
  for (auto& p : parts) all.insert(all.end(), p.begin(), p.end());
  return all;
}

// concat() of parts each sorted by `less`, into one sorted sequence: merged pairwise, in rounds
// (log2(parts) passes), not sorted again. A part that is not sorted (never expected) is sorted
// first, so the result is sorted whatever arrives.
template <class T, class Less>
std::vector<T> merge_sorted(std::vector<std::vector<T>> parts, Less less) {
  for (auto& part : parts)
    if (!std::is_sorted(part.begin(), part.end(), less)) std::sort(part.begin(), part.end(), less);
  while (parts.size() > 1) {
    std::vector<std::vector<T>> merged((parts.size() + 1) / 2);
    for (std::size_t k = 0; k < parts.size(); k += 2) {
      if (k + 1 == parts.size()) {
        merged[k / 2] = std::move(parts[k]);
        continue;
      }
      merged[k / 2].resize(parts[k].size() + parts[k + 1].size());
      std::merge(parts[k].begin(), parts[k].end(), parts[k + 1].begin(), parts[k + 1].end(), merged[k / 2].begin(),
                 less);
      parts[k] = {};
      parts[k + 1] = {};
    }
    parts = std::move(merged);
  }
  return parts.empty() ? std::vector<T>{} : std::move(parts[0]);
}

// A byte stream of values and strings: the records that are not flat (outcomes, members).
class Writer {
 public:
  template <class T>
  void put(const T& v) {
    static_assert(std::is_trivially_copyable_v<T>);
    const char* p = reinterpret_cast<const char*>(&v);
    bytes.insert(bytes.end(), p, p + sizeof(T));
  }
  void put(const std::string& s) {
    put<std::uint64_t>(s.size());
    bytes.insert(bytes.end(), s.begin(), s.end());
  }
  std::vector<char> bytes;
};

class Reader {
 public:
  explicit Reader(const std::vector<char>& bytes) : Reader(bytes.data(), bytes.size()) {}
  Reader(const char* data, std::size_t size) : data_(data), size_(size) {}
  template <class T>
  T get() {
    T v;
    need(sizeof(T));
    std::memcpy(&v, data_ + at_, sizeof(T));
    at_ += sizeof(T);
    return v;
  }
  std::string get_string() {
    const auto n = get<std::uint64_t>();
    need(n);
    std::string s(data_ + at_, n);
    at_ += n;
    return s;
  }
  /// A string's bytes where they are (valid until the buffer is reused).
  std::string_view get_view() {
    const auto n = get<std::uint64_t>();
    need(n);
    const std::string_view v(data_ + at_, n);
    at_ += n;
    return v;
  }
  bool done() const { return at_ == size_; }

 private:
  void need(std::size_t n) const {
    if (size_ - at_ < n) throw std::runtime_error("MPI message shorter than expected");
  }
  const char* data_;
  std::size_t size_;
  std::size_t at_ = 0;
};

// Records of `count` (variable size, e.g. members with their texts) to their ranks, in rounds of
// about kRecordRound bytes sent per rank (or chunk_bytes(), if less): dest(k) is record k's rank (or
// -1: none; it is asked once per record, in order, so it may deal with a record that stays), put(k,
// writer) writes it, take(reader) reads one on its rank. Every rank takes part
// until every rank is done. A round is one MPI_Alltoallv from one send buffer into one receive
// buffer, read in place; both buffers and the writers are reused round after round, so the
// exchange touches a few times kRecordRound of memory whatever the volume (on this VM memory
// touched for the first time cost 150-270 MB/s: with rounds of 64 MiB copied into fresh vectors,
// it was a third of the members exchange's time on the dense 1 GiB corpus). A round whose counts
// would not fit an int (a record of gigabytes, or many ranks sending to one) goes through
// exchange(), in chunks.
constexpr std::size_t kRecordRound = std::size_t{16} << 20;
template <class Dest, class Put, class Take>
void exchange_records(MPI_Comm comm, std::size_t count, Dest&& dest, Put&& put, Take&& take, Traffic& traffic) {
  int n = 0, me = 0;
  MPI_Comm_size(comm, &n);
  MPI_Comm_rank(comm, &me);
  const std::size_t limit = std::min(chunk_bytes(), kRecordRound);
  std::vector<Writer> w(static_cast<std::size_t>(n));
  std::vector<std::uint64_t> to(static_cast<std::size_t>(n)), from(static_cast<std::size_t>(n));
  Round r;
  for (std::size_t k = 0;;) {
    std::size_t bytes = 0;
    for (; k < count && bytes < limit; ++k) {
      const int d = dest(k);
      if (d < 0) continue;
      Writer& x = w[static_cast<std::size_t>(d)];
      const std::size_t before = x.bytes.size();
      put(k, x);
      bytes += x.bytes.size() - before;
    }
    std::uint64_t total = 0, rtotal = 0;
    for (int d = 0; d < n; ++d) total += to[static_cast<std::size_t>(d)] = w[static_cast<std::size_t>(d)].bytes.size();
    MPI_Alltoall(to.data(), 1, MPI_UINT64_T, from.data(), 1, MPI_UINT64_T, comm);
    for (std::uint64_t c : from) rtotal += c;
    // The largest buffer of any rank this round, and the records any rank has left.
    std::uint64_t most[2] = {std::max(total, rtotal), count - k};
    MPI_Allreduce(MPI_IN_PLACE, most, 2, MPI_UINT64_T, MPI_MAX, comm);
    if (most[0] > INT_MAX) {
      std::vector<std::vector<char>> out(static_cast<std::size_t>(n));
      for (int d = 0; d < n; ++d) out[static_cast<std::size_t>(d)].swap(w[static_cast<std::size_t>(d)].bytes);
      for (const auto& part : exchange(comm, out, traffic)) {
        Reader rd(part);
        while (!rd.done()) take(rd);
      }
    } else {
      const auto part = [&](int d) {
        const auto& b = w[static_cast<std::size_t>(d)].bytes;
        return std::pair<const void*, std::size_t>{b.data(), b.size()};
      };
      r.run(comm, n, me, part, from, traffic);
      for (int s = 0; s < n; ++s) {
        Reader rd(r.recv.data() + r.rd[s], static_cast<std::size_t>(r.rc[s]));
        while (!rd.done()) take(rd);
      }
    }
    for (Writer& x : w) x.bytes.clear();  // its capacity stays for the next round
    if (most[1] == 0) return;
  }
}

// ---------------------------------------------------------------------------------------------
// The shard of the inputs a rank indexes.

// Inputs [first, first + count) of a source, renumbered from 0. Problems are the whole run's and
// are accounted once, by rank 0.
class ShardSource final : public Source {
 public:
  ShardSource(const Source& all, std::size_t first, std::size_t count) : all_(all), first_(first), count_(count) {}
  std::size_t count() const noexcept override { return count_; }
  const std::string& name(std::size_t i) const override { return all_.name(first_ + i); }
  std::uint64_t size(std::size_t i) const override { return all_.size(first_ + i); }
  Status read(std::size_t i, std::string& out) const override { return all_.read(first_ + i, out); }
  Status read_ranges(std::size_t i, std::span<const ByteRange> ranges,
                     std::vector<std::string>& out) const override {
    return all_.read_ranges(first_ + i, ranges, out);
  }
  FileStamp stamp(std::size_t i) const override { return all_.stamp(first_ + i); }

 private:
  const Source& all_;
  std::size_t first_, count_;
};

// Rank r indexes inputs [cut[r], cut[r + 1]): contiguous in sorted order, so global ids are rank
// after rank; an input goes to the rank whose byte range holds its middle byte.
std::vector<std::size_t> shard_cuts(const Source& source, int ranks) {
  std::uint64_t total = 0;
  for (std::size_t i = 0; i < source.count(); ++i) total += source.size(i);
  std::vector<std::size_t> cut(static_cast<std::size_t>(ranks) + 1, source.count());
  cut[0] = 0;
  const std::uint64_t per_rank = total / static_cast<std::uint64_t>(ranks) + 1;  // bytes, so owner < ranks
  std::uint64_t before = 0;
  std::size_t r = 0;
  for (std::size_t i = 0; i < source.count(); ++i) {
    const std::uint64_t mid = before + source.size(i) / 2;
    const std::size_t owner =
        total == 0 ? i * static_cast<std::size_t>(ranks) / source.count() : static_cast<std::size_t>(mid / per_rank);
    while (r < std::min<std::size_t>(owner, static_cast<std::size_t>(ranks) - 1)) cut[++r] = i;
    before += source.size(i);
  }
  while (r < static_cast<std::size_t>(ranks) - 1) cut[++r] = source.count();
  return cut;
}

// The input list as rank 0 made it, sent to every rank (streams with their bytes).
InputList broadcast_inputs(MPI_Comm comm, InputList list, int me) {
  Writer w;
  if (me == 0) {
    w.put<std::uint64_t>(list.files.size());
    for (const InputFile& f : list.files) {
      w.put(f.path);
      w.put(f.size);
      w.put(f.device);
      w.put(f.inode);
      w.put<std::uint8_t>(f.data != nullptr);
      if (f.data) w.put(*f.data);
    }
    w.put<std::uint64_t>(list.problems.size());
    for (const Skipped& s : list.problems) {
      w.put(s.path);
      w.put(s.reason);
      w.put(s.code);
    }
  }
  std::uint64_t size = w.bytes.size();
  MPI_Bcast(&size, 1, MPI_UINT64_T, 0, comm);
  w.bytes.resize(size);
  for (std::uint64_t at = 0; at < size; at += INT_MAX / 2) {
    const int n = static_cast<int>(std::min<std::uint64_t>(INT_MAX / 2, size - at));
    MPI_Bcast(w.bytes.data() + at, n, MPI_BYTE, 0, comm);
  }
  if (me == 0) return list;
  Reader r(w.bytes);
  InputList out;
  out.files.resize(r.get<std::uint64_t>());
  for (InputFile& f : out.files) {
    f.path = r.get_string();
    f.size = r.get<std::uint64_t>();
    f.device = r.get<std::uint64_t>();
    f.inode = r.get<std::uint64_t>();
    if (r.get<std::uint8_t>()) f.data = std::make_shared<const std::string>(r.get_string());
  }
  out.problems.resize(r.get<std::uint64_t>());
  for (Skipped& s : out.problems) {
    s.path = r.get_string();
    s.reason = r.get_string();
    s.code = r.get<StatusCode>();
  }
  return out;
}

// Statuses of some inputs (global numbers) to rank 0, which reports them in input order.
std::vector<Status> gather_problems(MPI_Comm comm, int n, std::size_t first_input, std::span<const Status> local,
                                    std::size_t inputs, Traffic& traffic) {
  std::vector<std::vector<char>> out(static_cast<std::size_t>(n));
  Writer w;
  for (std::size_t i = 0; i < local.size(); ++i)
    if (!local[i].ok()) {
      w.put<std::uint64_t>(first_input + i);
      w.put(local[i].code());
      w.put(local[i].message());
    }
  out[0] = std::move(w.bytes);
  std::vector<Status> all(inputs);
  for (const auto& bytes : exchange(comm, out, traffic)) {
    Reader r(bytes);
    while (!r.done()) {
      const auto i = r.get<std::uint64_t>();
      const auto code = r.get<StatusCode>();
      all[i] = Status(code, r.get_string());
    }
  }
  return all;
}

// A test hook (tests/mpi/check_mpi.sh): RECUR_MPI_FAULT=RANK:STAGE kills rank RANK with SIGKILL
// when it reaches STAGE, as a crashed or lost machine would.
void fault_point(int me, const char* stage) {
  const char* v = std::getenv("RECUR_MPI_FAULT");
  if (!v || !*v) return;
  const std::string s(v);
  const auto colon = s.find(':');
  if (colon == std::string::npos) return;
  if (std::atoi(s.substr(0, colon).c_str()) == me && s.substr(colon + 1) == stage) std::raise(SIGKILL);
}

// ---------------------------------------------------------------------------------------------
// Records exchanged.

struct KeyItem {  // a folded band key and the global id of its paragraph
  std::uint32_t key, id;
};
struct PairRec {
  std::uint32_t a, b;
};
struct MemberRef {  // member m of cluster c is paragraph id, at this similarity
  std::uint32_t c, m, id;
  double similarity;
};
struct MemberPlan {  // what rank 0 orders and cuts the report by, per member (materialise.hpp)
  MemberFacts facts;
  std::uint64_t bytes;  // its formatted bytes: exact for JSON (json_member_size), else an estimate
};

// Global ids: rank r's paragraphs are [base[r], base[r + 1]).
struct IdSpace {
  std::vector<std::uint64_t> base;
  int owner(std::uint32_t id) const {
    return static_cast<int>(std::upper_bound(base.begin(), base.end(), id) - base.begin()) - 1;
  }
};

// What verification compares, per paragraph: its exact shingle set, or its MinHash signature
// (--no-verify). A rank serves its own paragraphs' and fetches the others' from their owners.
class Features {
 public:
  Features(const ParagraphIndex& index, const Spill* spill, std::uint64_t base, bool verify, unsigned perms)
      : index_(index), spill_(spill), base_(base), verify_(verify), perms_(perms) {}

  // Builds the local shingle sets of `local_ids` (the rank's paragraphs that are in any pair).
  void build(const Source& shard, std::vector<std::uint32_t> local_ids, const ReportOptions& o, unsigned threads,
             std::vector<Status>& problems) {
    problems.assign(index_.inputs(), {});
    if (verify_)
      sets_ = ShingleSets::build(shard, index_, std::move(local_ids), o.input, o.shingle, threads, problems, nullptr,
                                 spill_);
  }

  // Fetches the features of the remote ids in `pairs` from their owners; every rank takes part.
  void fetch(MPI_Comm comm, const IdSpace& ids, int me, std::span<const PairRec> pairs, Traffic& traffic) {
    const int n = static_cast<int>(ids.base.size()) - 1;
    remote_.clear();
    std::vector<std::uint32_t> need;
    for (const PairRec& p : pairs)
      for (std::uint32_t id : {p.a, p.b})
        if (ids.owner(id) != me) need.push_back(id);
    std::sort(need.begin(), need.end());
    need.erase(std::unique(need.begin(), need.end()), need.end());
    std::vector<std::vector<std::uint32_t>> ask(static_cast<std::size_t>(n));
    for (std::uint32_t id : need) ask[static_cast<std::size_t>(ids.owner(id))].push_back(id);
    const auto asked = exchange(comm, ask, traffic);
    // Reply: per id asked, its length (kMissing when unknown) and values, all 32-bit (set elements
    // are folded to 32 bits, signature rows are 32-bit).
    std::vector<std::vector<std::uint32_t>> reply(static_cast<std::size_t>(n));
    for (std::size_t s = 0; s < asked.size(); ++s)
      for (std::uint32_t id : asked[s]) {
        auto& out = reply[s];
        const std::uint32_t local = static_cast<std::uint32_t>(id - base_);
        std::span<const std::uint32_t> values;
        if (verify_) {
          const auto set = sets_.set(local);
          if (!set) {
            out.push_back(kMissing);
            continue;
          }
          values = *set;
        } else {
          values = index_.signature(local, perms_);
        }
        if (values.size() >= kMissing) throw std::length_error("a shingle set of 2^32 - 1 values or more");
        out.push_back(static_cast<std::uint32_t>(values.size()));
        out.insert(out.end(), values.begin(), values.end());
      }
    const auto replies = exchange(comm, reply, traffic);
    for (std::size_t s = 0; s < replies.size(); ++s) {
      std::size_t at = 0;
      const auto& from = replies[s];
      for (std::uint32_t id : ask[s]) {
        const std::uint32_t len = from.at(at++);
        if (len == kMissing) continue;
        if (from.size() - at < len) throw std::runtime_error("MPI message shorter than expected");
        remote_[id].assign(from.begin() + static_cast<std::ptrdiff_t>(at),
                           from.begin() + static_cast<std::ptrdiff_t>(at + len));
        at += len;
      }
    }
  }

  // The similarity verification would compute in one process: exact Jaccard (-1 when a set is
  // unknown), or the MinHash estimate.
  double similarity(std::uint32_t a, std::uint32_t b) const {
    if (verify_) {
      const auto x = set(a), y = set(b);
      if (!x || !y) return -1;
      return exact_jaccard(*x, *y);
    }
    return estimate_jaccard(signature(a), signature(b));
  }

 private:
  static constexpr std::uint32_t kMissing = UINT32_MAX;

  bool local(std::uint32_t id) const { return id >= base_ && id - base_ < index_.size(); }
  std::optional<std::span<const std::uint32_t>> set(std::uint32_t id) const {
    if (local(id)) {
      return sets_.set(static_cast<std::uint32_t>(id - base_));
    }
    const auto it = remote_.find(id);
    if (it == remote_.end()) return std::nullopt;
    return std::span<const std::uint32_t>(it->second);
  }
  std::vector<std::uint32_t> signature(std::uint32_t id) const {
    if (local(id)) {
      const auto s = index_.signature(static_cast<std::uint32_t>(id - base_), perms_);
      return {s.begin(), s.end()};
    }
    const auto& v = remote_.at(id);
    return {v.begin(), v.end()};
  }

  const ParagraphIndex& index_;
  const Spill* spill_;  // this rank's (report_spill), or null
  std::uint64_t base_;
  bool verify_;
  unsigned perms_;
  ShingleSets sets_;
  std::unordered_map<std::uint32_t, std::vector<std::uint32_t>> remote_;  // sets or signatures
};

std::vector<double> pair_similarities(const Features& f, std::span<const PairRec> pairs, unsigned threads) {
  std::vector<IdPair> ids;
  ids.reserve(pairs.size());
  for (const PairRec& p : pairs) ids.emplace_back(p.a, p.b);
  return similarities(ids, [&](std::uint32_t a, std::uint32_t b) { return f.similarity(a, b); }, threads);
}

constexpr std::uint64_t kUnknownExtra = UINT64_MAX;  // Member::text_json_extra not known

// The members' fields other than path and text, as the materialising rank sends them. The
// document's name only when it is not the path (a file of one document is named by its path, as
// most are): the receiving rank knows the path by the input's number.
void put_location(Writer& w, const Member& m) {
  const bool named = m.document != m.path;
  w.put<std::uint8_t>(named);
  if (named) w.put(m.document);
  w.put(m.document_index);
  w.put(m.paragraph);
  w.put(m.line);
  w.put(m.line_end);
  w.put(m.byte_start);
  w.put(m.byte_end);
  w.put(m.similarity);
  w.put(m.kind);
  w.put(m.content_chars);
  w.put(m.text_json_extra.value_or(kUnknownExtra));
}
void get_location(Reader& r, Member& m) {
  m.document = r.get<std::uint8_t>() ? r.get_string() : m.path;
  m.document_index = r.get<std::uint32_t>();
  m.paragraph = r.get<std::uint32_t>();
  m.line = r.get<std::uint32_t>();
  m.line_end = r.get<std::uint32_t>();
  m.byte_start = r.get<std::uint64_t>();
  m.byte_end = r.get<std::uint64_t>();
  m.similarity = r.get<double>();
  m.kind = r.get<ParagraphKind>();
  m.content_chars = r.get<std::uint64_t>();
  if (const auto extra = r.get<std::uint64_t>(); extra != kUnknownExtra) m.text_json_extra = extra;
}

// Where a member goes to be formatted: a rank and the cluster's place in that rank's block.
struct Route {
  std::uint32_t rank, cluster;
};
constexpr std::uint32_t kNowhere = UINT32_MAX;  // a cluster not written (--cross-doc, past text's --top)

// The rank that formats block b of n (blocks in the report's order): rank 0 the last, rank r + 1
// block r. Every block but the last must have a known size before any rank knows where its block
// starts in the file (JSON: planned exactly by rank 0; CSV and text: report_clusters_size, its
// bytes counted, not formatted), and rank 0 also formats the head, whose size every offset needs.
// With the last block on rank 0, the head is formatted while the other ranks size theirs, not
// before.
int block_holder(int b, int n) { return (b + 1) % n; }
int block_of(int rank, int n) { return (rank + n - 1) % n; }

// Time to size a block's bytes (report_clusters_size), as a fraction of the time to format and
// write them: dense 1 GiB corpus at np = 2, JSON, 0.24-0.26 s and 1.43 s (the members' texts are
// not read: Member::text_json_extra). A JSON report's blocks are not sized at all: rank 0 knows
// their bytes when it plans them (json_member_size, json_cluster_frame_size).
constexpr double kSizeCost = 0.2;

// The fraction of the report's bytes in each block (they add up to 1), so that every rank is done
// at about the same time: the blocks that are sized first (all but the last) cost 1 + size_cost per
// byte, the last one 1 (rank 0 writes the head meanwhile, which the JsonLayout made short).
std::vector<double> block_shares(int n, double size_cost) {
  std::vector<double> share(static_cast<std::size_t>(n), 1 / (1 + size_cost));
  share.back() = 1;
  double total = 0;
  for (double x : share) total += x;
  for (double& x : share) x /= total;
  return share;
}

// Tags of the messages that carry the formatted blocks to rank 0.
constexpr int kTagGo = 1, kTagSize = 2, kTagPiece = 3;

// The HTML page holds the JSON report: its blocks are formatted as JSON.
ReportFormat json_or(ReportWriting::Format f) {
  switch (f) {
    case ReportWriting::Format::csv: return ReportFormat::csv;
    case ReportWriting::Format::text: return ReportFormat::text;
    default: return ReportFormat::json;
  }
}

// Rank 0's writing settings on every rank (its terminal decides the excerpts' width).
ReportWriting broadcast_writing(MPI_Comm comm, const ReportWriting& w, int me) {
  struct Flat {
    ReportWriting::Format format;
    TextOptions text;
    bool member_text;
  } flat{w.format, w.text, w.member_text};
  static_assert(std::is_trivially_copyable_v<Flat>);
  MPI_Bcast(&flat, sizeof flat, MPI_BYTE, 0, comm);
  ReportWriting out;
  out.format = flat.format;
  out.text = flat.text;
  out.member_text = flat.member_text;
  if (me == 0) {
    out.open = w.open;
    out.temp_path = w.temp_path;
  }
  return out;
}

// A stream's bytes kept in memory in pieces of at most `limit` bytes: a rank's block of the
// report, sent to rank 0 piece by piece (each a message whose count fits an int).
class PieceBuf : public std::streambuf {
 public:
  explicit PieceBuf(std::size_t limit) : limit_(limit) {}
  std::vector<std::string> pieces;
  std::uint64_t size() const {
    std::uint64_t total = 0;
    for (const std::string& p : pieces) total += p.size();
    return total;
  }

 protected:
  std::streamsize xsputn(const char* s, std::streamsize n) override {
    for (std::size_t done = 0, want = static_cast<std::size_t>(n); done < want;) {
      if (pieces.empty() || pieces.back().size() >= limit_) {
        pieces.emplace_back();
        pieces.back().reserve(limit_);
      }
      std::string& p = pieces.back();
      const std::size_t take = std::min(limit_ - p.size(), want - done);
      p.append(s + done, take);
      done += take;
    }
    return n;
  }
  int_type overflow(int_type ch) override {
    if (traits_type::eq_int_type(ch, traits_type::eof())) return traits_type::not_eof(ch);
    const char c = traits_type::to_char_type(ch);
    xsputn(&c, 1);
    return ch;
  }

 private:
  std::size_t limit_;
};

// The documents of the members a rank read: each one's name (for rank 0's order) and the head of
// its members' JSON objects (json_member_head), formatted once per document. A rank formats
// hundreds of thousands of members of a few thousand documents; reading each member's own copies
// of its path and document name (a heap block each, cold by then) to escape them again was a
// seventh of the members stage on the dense 1 GiB corpus at np = 2, and the map from (input,
// document) to the name, a std::map searched per member, a tenth of sizing them.
class MemberDocuments {
 public:
  struct Entry {
    std::string head;
    const std::string* name;  // the first member's Member::document
  };
  // Member m of input `input` (global number).
  const Entry& of(std::uint32_t input, const Member& m) {
    const auto [it, added] = docs_.try_emplace((std::uint64_t{input} << 32) | m.document_index);
    if (added) it->second = {json_member_head(m.path, m.document), &m.document};
    return it->second;
  }
  // (input, document index, name), by input and index.
  std::vector<std::tuple<std::uint32_t, std::uint32_t, const std::string*>> names() const {
    std::vector<std::tuple<std::uint32_t, std::uint32_t, const std::string*>> out;
    for (const auto& [key, e] : docs_)
      out.emplace_back(static_cast<std::uint32_t>(key >> 32), static_cast<std::uint32_t>(key), e.name);
    std::sort(out.begin(), out.end());
    return out;
  }

 private:
  std::unordered_map<std::uint64_t, Entry> docs_;
};

// A rank's block of a JSON report, written in the report's order as its members become available:
// those read on this rank formatted on the spot, the others' bytes as they arrive, formatted by the
// rank that read them (stream_json_block). Each rank sends its members to a block in the block's
// order, so at np = 2 every member that arrives is the next one due and nothing is held; with more
// ranks, a member that arrives before its turn waits in `early_` (a copy of its bytes).
class BlockAssembler {
 public:
  // `block`: the index of the block's first cluster in the report, then (id, size) per cluster;
  // `weights`: each cluster's weight (cluster_weight), in the same order.
  BlockAssembler(const std::vector<std::uint32_t>& block, const std::vector<std::uint64_t>& weights, bool member_text,
                 std::ostream& out)
      : block_(block), weights_(weights), member_text_(member_text), out_(out) {
    const std::size_t clusters = (block.size() - 1) / 2;
    if (weights.size() != clusters) throw std::runtime_error("MPI plan: a weight per cluster expected");
    start_.resize(clusters + 1, 0);
    for (std::size_t c = 0; c < clusters; ++c) start_[c + 1] = start_[c] + size(c);
    own_.assign(start_.back(), nullptr);
    head_.assign(start_.back(), nullptr);
  }
  // Member m of cluster c (of the block) is `member`, read here, whose json_member_head is `head`.
  // Before the first advance().
  void own(std::uint32_t c, std::uint32_t m, const Member* member, const std::string* head) {
    const std::size_t s = slot(c, m);
    own_[s] = member;
    head_[s] = head;
  }
  // Member m of cluster c, formatted by the rank that read it.
  void arrived(std::uint32_t c, std::uint32_t m, std::string_view bytes) {
    const std::size_t s = slot(c, m);
    if (own_[s] != nullptr || s < start_[ci_] + mi_)  // (all written: start_[ci_] is the end)
      throw std::runtime_error("MPI message with a member that is not another rank's or came twice");
    if (open_ && c == ci_ && m == mi_) {  // due now: into the stream from the receive buffer
      append_json_member_separator(buf_, m == 0);
      flush();
      out_.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
      ++mi_;
      advance();
    } else if (!early_.emplace(s, std::string(bytes)).second) {
      throw std::runtime_error("MPI message with a member that came twice");
    }
  }
  // Writes on as far as the members at hand go.
  void advance() {
    while (ci_ < clusters()) {
      const std::uint32_t n = size(ci_);
      if (!open_) {
        append_json_cluster_open(buf_, block_[1 + 2 * ci_], n, 0, weights_[ci_], block_[0] + ci_ == 0);
        open_ = true;
        mi_ = 0;
      }
      for (; mi_ < n; ++mi_) {
        const std::size_t s = start_[ci_] + mi_;
        if (own_[s] != nullptr) {
          append_json_member_separator(buf_, mi_ == 0);
          append_json_member(buf_, *head_[s], *own_[s], member_text_);
        } else if (auto it = early_.find(s); it != early_.end()) {
          append_json_member_separator(buf_, mi_ == 0);
          buf_ += it->second;
          early_.erase(it);
        } else {
          return;  // another rank's, not here yet
        }
      }
      append_json_cluster_close(buf_, n);
      open_ = false;
      ++ci_;
      if (buf_.size() >= (std::size_t{1} << 20)) flush();
    }
    flush();
  }
  // Every member written?
  bool complete() const { return ci_ == clusters() && early_.empty(); }

 private:
  std::size_t clusters() const { return start_.size() - 1; }
  std::uint32_t size(std::size_t c) const { return block_[2 + 2 * c]; }
  std::size_t slot(std::uint32_t c, std::uint32_t m) const {
    if (c >= clusters() || m >= size(c)) throw std::runtime_error("MPI message with a member out of range");
    return start_[c] + m;
  }
  void flush() {
    out_.write(buf_.data(), static_cast<std::streamsize>(buf_.size()));
    buf_.clear();
  }
  const std::vector<std::uint32_t>& block_;
  const std::vector<std::uint64_t>& weights_;
  bool member_text_;
  std::ostream& out_;
  std::vector<std::size_t> start_;    // by cluster, its first slot (and the end)
  std::vector<const Member*> own_;    // by slot: the member read here, or nullptr
  std::vector<const std::string*> head_;  // by slot: its json_member_head
  std::unordered_map<std::size_t, std::string> early_;  // by slot
  std::size_t ci_ = 0;                // the cluster being written
  std::uint32_t mi_ = 0;              // its next member
  bool open_ = false;                 // its head is written
  std::string buf_;
};

// members + write, for a JSON report written into one file every rank can open: each rank formats
// the members it read and sends their bytes to the rank whose block holds them, which writes its
// block into `out` in order as they arrive. Nothing is unpacked: on the dense 1 GiB corpus at
// np = 2, unpacking members into strings (and allocating their clusters) cost each rank as much as
// packing them, and the receiving rank formatted them again afterwards. flat[k], refs[k] and
// routes[k] are member k read here, its place in its cluster and where it goes; heads[k] its
// json_member_head (MemberDocuments).
void stream_json_block(MPI_Comm comm, int me, std::span<Member* const> flat, std::span<const MemberRef> refs,
                       std::span<const Route> routes, std::span<const std::string* const> heads,
                       const std::vector<std::uint32_t>& block,
                       const std::vector<std::uint64_t>& weights, bool member_text, std::ostream& out,
                       Traffic& traffic) {
  int n = 0;
  MPI_Comm_size(comm, &n);
  BlockAssembler assemble(block, weights, member_text, out);
  // The members for other ranks, each rank's in its block's order, the ranks taken in turn, so that
  // every round carries some of every rank's.
  std::vector<std::vector<std::size_t>> to(static_cast<std::size_t>(n));
  for (std::size_t k = 0; k < flat.size(); ++k) {
    const std::uint32_t r = routes[k].rank;
    if (r == static_cast<std::uint32_t>(me))
      assemble.own(routes[k].cluster, refs[k].m, flat[k], heads[k]);
    else if (r != kNowhere) to.at(r).push_back(k);
  }
  std::vector<std::size_t> order;
  order.reserve(flat.size());
  for (auto& v : to) {
    std::sort(v.begin(), v.end(), [&](std::size_t a, std::size_t b) {
      return std::pair{routes[a].cluster, refs[a].m} < std::pair{routes[b].cluster, refs[b].m};
    });
  }
  for (std::size_t i = 0;; ++i) {
    bool any = false;
    for (const auto& v : to)
      if (i < v.size()) {
        order.push_back(v[i]);
        any = true;
      }
    if (!any) break;
  }
  to = {};
  assemble.advance();
  std::string bytes;
  exchange_records(
      comm, order.size(), [&](std::size_t i) { return static_cast<int>(routes[order[i]].rank); },
      [&](std::size_t i, Writer& w) {
        const std::size_t k = order[i];
        w.put(routes[k].cluster);
        w.put(refs[k].m);
        bytes.clear();
        append_json_member(bytes, *heads[k], *flat[k], member_text);
        w.put(bytes);
      },
      [&](Reader& r) {
        const auto c = r.get<std::uint32_t>(), m = r.get<std::uint32_t>();
        assemble.arrived(c, m, r.get_view());
      },
      traffic);
  assemble.advance();
  if (!assemble.complete()) throw std::runtime_error("MPI exchange ended with members of the block missing");
}

std::uint64_t peak_rss() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<std::uint64_t>(u.ru_maxrss) * 1024;
}

}  // namespace

Report run_report_distributed(const MpiSession& session, InputList list, const ReportOptions& o,
                              const ReportWriting& rank0_writing, const ProgressFn& progress, const WarnFn& warn,
                              std::vector<RankFigures>* figures) {
  if (auto m = o.validate(); !m.empty()) throw Error(errc::usage, m);
  boost::mpi::communicator world;  // MPI_COMM_WORLD, as the session's
  MPI_Comm comm = world;
  const int n = session.size(), me = session.rank();
  StageClock clock;  // the report's stage times: rank 0's wall clock (every stage ends in an exchange)
  StageClock mine;   // this rank's own, for its figures
  Traffic traffic;
  const unsigned threads = effective_threads(o.threads);
  const IndexSettings settings = IndexSettings::of(o);
  const ScanSettings scan(o.input);
  const FileSource source(broadcast_inputs(comm, std::move(list), me));
  const ReportWriting writing = broadcast_writing(comm, rank0_writing, me);
  const std::vector<std::size_t> cut = shard_cuts(source, n);
  const std::size_t first_input = cut[static_cast<std::size_t>(me)];
  const ShardSource shard(source, first_input, cut[static_cast<std::size_t>(me) + 1] - first_input);
  Report report;
  Stats& st = report.stats;
  if (me == 0) {
    report.version = version();
    report.options = options_json(o, settings.params, threads);
    report.options["ranks"] = n;
  }

  // scan + index of this rank's inputs.
  fault_point(me, "index");
  ProgressCounters counters;
  const std::uint64_t shard_bytes = total_size(shard);
  counters.begin("reading", shard_bytes);
  Ticker ticker(progress, counters);
  // Each rank keeps its own paragraphs' shingle values for verification, as run_report does.
  const std::unique_ptr<Spill> spill = report_spill(o, warn);
  ParagraphIndex index(index_inputs(shard, scan, settings, threads, &counters, spill.get()));
  mine.mark("index");

  // Global ids (rank after rank, so input order), and the accounting of every input on rank 0.
  IdSpace ids;
  {
    std::vector<std::uint64_t> sizes(static_cast<std::size_t>(n));
    std::uint64_t own = index.size();
    MPI_Allgather(&own, 1, MPI_UINT64_T, sizes.data(), 1, MPI_UINT64_T, comm);
    ids.base.assign(1, 0);
    for (std::uint64_t s : sizes) ids.base.push_back(ids.base.back() + s);
    if (ids.base.back() > UINT32_MAX) throw Error(errc::input, "more than 4294967295 paragraphs to index");
  }
  const std::uint64_t base = ids.base[static_cast<std::size_t>(me)];
  std::vector<std::vector<std::uint64_t>> document_chars;  // rank 0: per input
  double thread_seconds[5] = {0, 0, 0, 0, 0};  // read, segment, normalize, shingle, signature
  {
    Writer w;
    for (std::size_t i = 0; i < index.inputs(); ++i) {
      const FileIndex& f = index.file(i);
      w.put(f.outcome.status.code());
      w.put(f.outcome.status.message());
      w.put(f.outcome.note);
      w.put(f.outcome.bytes);
      w.put(f.outcome.documents);
      w.put(f.outcome.paragraphs);
      w.put(f.too_short);
      w.put(f.kinds);
      w.put<std::uint64_t>(f.document_chars.size());
      for (std::uint64_t c : f.document_chars) w.put(c);
      thread_seconds[0] += f.outcome.seconds_read;
      thread_seconds[1] += f.outcome.seconds_segment;
      thread_seconds[2] += f.seconds_normalize;
      thread_seconds[3] += f.seconds_shingle;
      thread_seconds[4] += f.seconds_sign;
    }
    MPI_Allreduce(MPI_IN_PLACE, thread_seconds, 5, MPI_DOUBLE, MPI_SUM, comm);
    std::vector<std::vector<char>> out(static_cast<std::size_t>(n));
    out[0] = std::move(w.bytes);
    const auto in = exchange(comm, out, traffic);
    if (me == 0) {
      std::vector<FileOutcome> outcomes;
      for (const auto& bytes : in) {
        Reader r(bytes);
        while (!r.done()) {
          FileOutcome f;
          const auto code = r.get<StatusCode>();
          f.status = Status(code, r.get_string());
          f.note = r.get_string();
          f.bytes = r.get<std::uint64_t>();
          f.documents = r.get<std::uint64_t>();
          f.paragraphs = r.get<std::uint64_t>();
          st.paragraphs_too_short += r.get<std::uint32_t>();
          const auto kinds = r.get<std::array<std::uint32_t, kParagraphKinds>>();
          for (std::size_t k = 0; k < kParagraphKinds; ++k) st.paragraphs_by_kind[k] += kinds[k];
          std::vector<std::uint64_t> chars(r.get<std::uint64_t>());
          for (auto& c : chars) c = r.get<std::uint64_t>();
          outcomes.push_back(std::move(f));
          document_chars.push_back(std::move(chars));
        }
      }
      account_inputs(source, outcomes, report, warn);
      st.paragraphs_indexed = ids.base.back();
    }
  }
  clock.mark("index");
  const char* names[5] = {"read", "segment", "normalize", "shingle", "signature"};
  for (int k = 0; k < 5; ++k) clock.add(names[k], thread_seconds[k]);
  mine.mark("accounting");

  // Band keys to their owners, band by band; each owner pairs the items of its buckets exactly as
  // candidate_pairs_band_major does for all of them (the same buckets, ids in the same order).
  fault_point(me, "lsh");
  counters.begin("candidates");
  std::vector<PairRec> pairs;  // this rank's: first id in its shard, sorted, unique
  {
    const unsigned bands = settings.params.bands;
    BandKeys keys = index.take_band_keys(bands, threads);
    std::vector<std::uint64_t> found;  // packed (a << 32 | b), sorted, unique
    std::uint64_t truncated = 0;
    std::vector<std::vector<KeyItem>> by_owner(static_cast<std::size_t>(n));  // reused band after band
    // With several threads, as many bands as threads are paired at once, one per thread (pairing
    // one band is sequential). The pairs are a set: the order bands are merged in does not matter.
    const unsigned group = std::clamp(threads, 1u, std::max(bands, 1u));
    std::vector<std::vector<KeyItem>> items(group);
    std::vector<std::vector<std::uint64_t>> local(group);  // packed pairs of each band of the group
    std::vector<std::size_t> cut_buckets(group);
    for (unsigned b0 = 0; b0 < bands; b0 += group) {
      const unsigned g = std::min(group, bands - b0);
      for (unsigned j = 0; j < g; ++j) {
        for (auto& v : by_owner) v.clear();
        for (std::size_t k = 0; k < keys.count; ++k) {
          const std::uint32_t key = keys.data[(b0 + j) * keys.count + k];
          by_owner[static_cast<std::size_t>((std::uint64_t{key} * static_cast<std::uint64_t>(n)) >> 32)].push_back(
              {key, static_cast<std::uint32_t>(base + k)});
        }
        // From rank 0 up, each rank's ids ascending: the items in id order.
        items[j] = concat(exchange(comm, by_owner, traffic));
      }
      detail::parallel_for(g, threads, [&](std::size_t j, unsigned) {
        std::vector<std::uint32_t> band(items[j].size());
        for (std::size_t i = 0; i < band.size(); ++i) band[i] = items[j][i].key;
        cut_buckets[j] = 0;
        const auto pairs = candidate_pairs_band_major(band, band.size(), 1, o.max_bucket, &cut_buckets[j], 1);
        local[j].clear();
        local[j].reserve(pairs.size());  // sorted: items are in id order
        for (const auto& [x, y] : pairs) local[j].push_back(std::uint64_t{items[j][x].id} << 32 | items[j][y].id);
      });
      for (unsigned j = 0; j < g; ++j) {
        truncated += cut_buckets[j];
        const std::size_t before = found.size();
        found.insert(found.end(), local[j].begin(), local[j].end());
        std::inplace_merge(found.begin(), found.begin() + static_cast<std::ptrdiff_t>(before), found.end());
        found.erase(std::unique(found.begin(), found.end()), found.end());
      }
    }
    items = {};
    local = {};
    keys = {};
    std::vector<std::vector<PairRec>> out(static_cast<std::size_t>(n));
    for (std::uint64_t p : found) {
      const auto a = static_cast<std::uint32_t>(p >> 32), b = static_cast<std::uint32_t>(p);
      out[static_cast<std::size_t>(ids.owner(a))].push_back({a, b});
    }
    found = {};
    // Each rank's part is sorted (found is, and out keeps its order), so the parts are merged, not
    // sorted: sorting the concatenated parts took about a tenth of the lsh stage's samples at np = 2
    // (dense 1 GiB).
    pairs = merge_sorted(exchange(comm, out, traffic),
                         [](PairRec x, PairRec y) { return x.a != y.a ? x.a < y.a : x.b < y.b; });
    out = {};
    pairs.erase(std::unique(pairs.begin(), pairs.end(), [](PairRec x, PairRec y) { return x.a == y.a && x.b == y.b; }),
                pairs.end());
    std::uint64_t totals[2] = {pairs.size(), truncated};
    MPI_Allreduce(MPI_IN_PLACE, totals, 2, MPI_UINT64_T, MPI_SUM, comm);
    st.candidate_pairs = totals[0];
    st.truncated_buckets = totals[1];
  }
  clock.mark("lsh");
  mine.mark("lsh");

  // verify: by the owner of each pair's first id, the other side's set fetched from its owner.
  fault_point(me, "verify");
  counters.begin("verifying");
  // The features of the paragraphs in `todo` (pairs this rank verifies): each rank builds the sets
  // of its own paragraphs in its pairs and of those the other ranks ask it for, then fetches the
  // others'. Every rank takes part. The problems of a build are reported on rank 0 (the second
  // pass's build reads only inputs the first one read: its paragraphs all have verified edges).
  auto features_for = [&](std::span<const PairRec> todo) {
    auto f = std::make_unique<Features>(index, spill.get(), base, o.verify, o.minhash.perms);
    std::vector<std::vector<std::uint32_t>> ask(static_cast<std::size_t>(n));
    std::vector<std::uint32_t> local_ids;
    for (const PairRec& p : todo)
      for (std::uint32_t id : {p.a, p.b}) {
        const int owner = ids.owner(id);
        if (owner == me) local_ids.push_back(static_cast<std::uint32_t>(id - base));
        else ask[static_cast<std::size_t>(owner)].push_back(id);
      }
    for (auto& v : ask) {
      std::sort(v.begin(), v.end());
      v.erase(std::unique(v.begin(), v.end()), v.end());
    }
    for (const auto& from : exchange(comm, ask, traffic))
      for (std::uint32_t id : from) local_ids.push_back(static_cast<std::uint32_t>(id - base));
    std::sort(local_ids.begin(), local_ids.end());
    local_ids.erase(std::unique(local_ids.begin(), local_ids.end()), local_ids.end());
    std::vector<Status> problems;
    f->build(shard, std::move(local_ids), o, threads, problems);
    const auto all_problems = gather_problems(comm, n, first_input, problems, source.count(), traffic);
    if (me == 0) report_problems(source, all_problems, report.warnings, warn);
    f->fetch(comm, ids, me, todo, traffic);
    return f;
  };
  std::vector<Edge> edges;
  {
    // Freed once the edges are made, as run_report frees its shingle sets: rank 0's first pass of
    // the clustering then reuses their memory instead of touching fresh pages, and so do the
    // report stage's texts (page faults were 40% of materialising).
    const auto features = features_for(pairs);
    const auto sims = pair_similarities(*features, pairs, threads);
    std::vector<IdPair> id_pairs;
    for (const PairRec& p : pairs) id_pairs.emplace_back(p.a, p.b);
    std::vector<std::vector<Edge>> out(static_cast<std::size_t>(n));
    out[0] = verified_edges(id_pairs, sims, o.lsh.threshold);
    std::uint64_t verified = out[0].size();
    MPI_Allreduce(MPI_IN_PLACE, &verified, 1, MPI_UINT64_T, MPI_SUM, comm);
    st.verified_pairs = verified;
    pairs = {};
    edges = concat(exchange(comm, out, traffic));
  }
  clock.mark("verify");
  mine.mark("verify");

  // cluster on rank 0; the second pass's pairs verified by their owners.
  fault_point(me, "cluster");
  counters.begin("clustering");
  std::vector<Cluster> clusters;
  {
    StarDraft draft;
    std::vector<std::vector<PairRec>> out(static_cast<std::size_t>(n));
    std::vector<std::vector<std::size_t>> positions(static_cast<std::size_t>(n));  // rank 0: index in pending
    std::vector<std::pair<std::uint32_t, std::uint32_t>> pending;
    if (me == 0) {
      draft = star_first_pass(ids.base.back(), std::move(edges), o.lsh.threshold);
      pending = draft.pending();
      for (std::size_t k = 0; k < pending.size(); ++k) {
        const auto [x, y] = pending[k];
        const int owner = ids.owner(std::min(x, y));
        out[static_cast<std::size_t>(owner)].push_back({x, y});
        positions[static_cast<std::size_t>(owner)].push_back(k);
      }
    }
    const std::vector<PairRec> todo = concat(exchange(comm, out, traffic));
    // The few sets the second pass needs, built again (dense 1 GiB: 352 paragraphs).
    const auto features = features_for(todo);
    std::vector<std::vector<double>> back(static_cast<std::size_t>(n));
    back[0] = pair_similarities(*features, todo, threads);
    const auto answers = exchange(comm, back, traffic);
    if (me == 0) {
      std::vector<double> similarity(pending.size());
      for (std::size_t r = 0; r < answers.size(); ++r)
        for (std::size_t k = 0; k < answers[r].size(); ++k) similarity[positions[r][k]] = answers[r][k];
      clusters = star_second_pass(std::move(draft), similarity, o.lsh.threshold);
    }
  }
  clock.mark("cluster");
  mine.mark("cluster");

  // materialise: each member located and read back by the rank that indexed it. Rank 0 gets each
  // member's facts (32 B, whatever the paragraph's length or path), orders the clusters as
  // run_report does and plans who formats which of them.
  fault_point(me, "materialise");
  counters.begin("writing");
  std::vector<MemberRef> refs;         // the members this rank read back, in the order rank 0 sent them
  std::vector<ReportCluster> located;  // their members: one partial cluster per run of equal refs[k].c
  std::vector<Member*> flat;           // located's members, in the order of refs
  std::size_t total_clusters = 0;      // rank 0: clusters in the report
  std::vector<Route> routes;           // where each of refs goes to be formatted
  std::vector<std::uint32_t> block;    // this rank's block: index of its first cluster, then (id, size) per cluster
  std::vector<std::uint64_t> block_weights;  // its clusters' weights (cluster_weight), in order
  MemberDocuments docs;                // the documents of the members read here
  std::vector<const std::string*> heads;  // the json_member_head of each of refs (in docs)
  // JSON: each block's bytes are known when rank 0 plans them (block_bytes, by block), not sized.
  const bool exact = json_or(writing.format) == ReportFormat::json;
  std::vector<std::uint64_t> block_bytes(static_cast<std::size_t>(n), 0);
  {
    std::vector<std::vector<MemberRef>> out(static_cast<std::size_t>(n));
    for (std::uint32_t c = 0; c < clusters.size(); ++c)
      for (std::uint32_t m = 0; m < clusters[c].members.size(); ++m) {
        const ClusterMember& x = clusters[c].members[m];
        out[static_cast<std::size_t>(ids.owner(x.item))].push_back({c, m, x.item, x.similarity});
      }
    refs = concat(exchange(comm, out, traffic));
    std::vector<Cluster> partial;
    for (std::size_t k = 0; k < refs.size(); ++k) {
      if (k == 0 || refs[k].c != refs[k - 1].c) partial.emplace_back();
      partial.back().members.push_back({static_cast<std::uint32_t>(refs[k].id - base), refs[k].similarity});
    }
    std::vector<Status> problems;
    located = materialise(shard, index, partial, o.input.decode, threads, problems);
    partial = {};
    mine.mark("materialise");
    flat.clear();
    for (ReportCluster& c : located)  // one list, in the order of refs
      for (Member& m : c.members) {
        if (!writing.member_text) {  // content_chars is counted already
          std::string().swap(m.text);
          m.text_json_extra = 0;
        }
        flat.push_back(&m);
      }
    const auto all_problems = gather_problems(comm, n, first_input, problems, source.count(), traffic);
    // Rank 0 gets, per member read here, its facts (a fixed-size record) and an estimate of its
    // formatted bytes, and the name of each document they are in: what the order and the blocks
    // need, not the members.
    std::vector<std::vector<MemberPlan>> plan_out(static_cast<std::size_t>(n));
    std::vector<std::vector<char>> names_out(static_cast<std::size_t>(n));
    {
      plan_out[0].reserve(flat.size());
      heads.resize(flat.size());
      for (std::size_t k = 0; k < flat.size(); ++k) {
        const Member& m = *flat[k];
        const auto input = static_cast<std::uint32_t>(first_input + index.input_of(refs[k].id - base));
        const MemberDocuments::Entry& doc = docs.of(input, m);
        heads[k] = &doc.head;  // a node of docs: it stays where it is
        plan_out[0].push_back({{refs[k].c, refs[k].m, input, m.document_index, m.content_chars},
                               exact ? json_member_size(doc.head, m, writing.member_text)
                                     : 300 + doc.head.size() + (writing.member_text ? m.byte_end - m.byte_start : 0)});
      }
      Writer w;
      for (const auto& [input, document, name] : docs.names()) {
        w.put(input);
        w.put(document);
        w.put(*name);
      }
      names_out[0] = std::move(w.bytes);
    }
    const auto plan_in = exchange(comm, plan_out, traffic);
    plan_out = {};
    const auto names_in = exchange(comm, names_out, traffic);
    std::vector<std::vector<Route>> route_out(static_cast<std::size_t>(n));
    std::vector<std::vector<std::uint32_t>> block_out(static_cast<std::size_t>(n));
    std::vector<std::vector<std::uint64_t>> weight_out(static_cast<std::size_t>(n));
    if (me == 0) {
      report_problems(source, all_problems, report.warnings, warn);
      std::vector<MemberFacts> facts;
      std::size_t members = 0;
      for (const auto& from : plan_in) members += from.size();
      facts.reserve(members);
      std::vector<std::uint64_t> cluster_bytes(clusters.size(), 0);  // its members', by clustering order
      std::vector<std::uint64_t> weight(clusters.size(), 0);  // cluster_weight's, for its frame's bytes
      for (const auto& from : plan_in)
        for (const MemberPlan& p : from) {
          facts.push_back(p.facts);
          cluster_bytes.at(p.facts.cluster) += p.bytes;
          if (p.facts.member != 0) weight.at(p.facts.cluster) += p.facts.content_chars;  // all but the representative
        }
      std::map<std::pair<std::uint32_t, std::uint32_t>, std::string> names;
      for (const auto& bytes : names_in) {
        Reader r(bytes);
        while (!r.done()) {
          const auto input = r.get<std::uint32_t>(), doc = r.get<std::uint32_t>();
          names.emplace(std::pair{input, doc}, r.get_string());
        }
      }
      // The order finish_report gives in one process, from the same facts.
      ReportOrder order = order_report(
          clusters.size(), facts, source, o.cross_doc, o.sort,
          [&](std::size_t input) -> const std::vector<std::uint64_t>& { return document_chars[input]; },
          [&](std::uint32_t input, std::uint32_t doc) { return names.at({input, doc}); });
      facts = {};
      document_chars = {};
      st.clusters_single_document = order.single_document;
      st.clusters = order.clusters.size();
      st.clustered_paragraphs = order.clustered_paragraphs;
      report.documents = std::move(order.documents);
      total_clusters = order.clusters.size();
      // The clusters the format writes, cut into one contiguous block per rank, balanced by time.
      // JSON: by their exact bytes (the members' and each cluster's frame), which every rank is
      // told, so nothing is sized later. Other formats: bytes estimated (the members' texts and a
      // few hundred bytes of fields each), and every block but the last is sized before it is
      // written (block_holder), so it gets fewer bytes.
      const std::size_t written = clusters_written(json_or(writing.format), writing.text, total_clusters);
      std::vector<std::uint64_t> cost(written + 1, 0);  // cumulative
      for (std::size_t k = 0; k < written; ++k) {
        const std::uint32_t c = order.clusters[k];
        cost[k + 1] = cost[k] + cluster_bytes[c];
        if (exact)
          cost[k + 1] += json_cluster_frame_size(static_cast<std::uint32_t>(k + 1), clusters[c].members.size(), 0,
                                                 weight[c], k == 0);
      }
      const std::vector<double> share = block_shares(n, exact ? 0 : kSizeCost);
      std::vector<std::size_t> cut(static_cast<std::size_t>(n) + 1, written);
      double before = 0;
      for (int b = 0; b < n; ++b) {
        const auto target = static_cast<std::uint64_t>(static_cast<double>(cost.back()) * before);
        cut[static_cast<std::size_t>(b)] =
            static_cast<std::size_t>(std::lower_bound(cost.begin(), cost.end(), target) - cost.begin());
        before += share[static_cast<std::size_t>(b)];
      }
      cut[0] = 0;
      for (int b = 0; b < n; ++b)
        block_bytes[static_cast<std::size_t>(b)] = cost[cut[static_cast<std::size_t>(b) + 1]] - cost[cut[static_cast<std::size_t>(b)]];
      std::vector<Route> route_of(clusters.size(), Route{kNowhere, 0});  // by clustering order
      for (int b = 0; b < n; ++b) {
        const int holder = block_holder(b, n);
        auto& v = block_out[static_cast<std::size_t>(holder)];
        v.push_back(static_cast<std::uint32_t>(cut[static_cast<std::size_t>(b)]));
        for (std::size_t k = cut[static_cast<std::size_t>(b)]; k < cut[static_cast<std::size_t>(b) + 1]; ++k) {
          const std::uint32_t c = order.clusters[k];
          v.push_back(static_cast<std::uint32_t>(k + 1));  // its id
          v.push_back(static_cast<std::uint32_t>(clusters[c].members.size()));
          weight_out[static_cast<std::size_t>(holder)].push_back(weight[c]);
          route_of[c] = {static_cast<std::uint32_t>(holder), static_cast<std::uint32_t>(k - cut[static_cast<std::size_t>(b)])};
        }
      }
      // Each reading rank learns, for the members it read (in the order it got them), where to send them.
      for (std::uint32_t c = 0; c < clusters.size(); ++c)
        for (const ClusterMember& x : clusters[c].members)
          route_out[static_cast<std::size_t>(ids.owner(x.item))].push_back(route_of[c]);
      clusters = {};
    }
    routes = concat(exchange(comm, route_out, traffic));
    block = concat(exchange(comm, block_out, traffic));
    block_weights = concat(exchange(comm, weight_out, traffic));
    MPI_Bcast(block_bytes.data(), n, MPI_UINT64_T, 0, comm);
  }
  mine.mark("plan");  // rank 0's ordering of the clusters (the others wait for it)
  // The output. A JSON report (not the HTML page, whose start is written from the report's figures)
  // is opened before the members move: when every rank can write into it, the members are formatted
  // where they were read and each block is written as its members arrive (stream_json_block). The
  // other formats, and a JSON report no other rank can open, open it once every rank holds its
  // block, as before: a run that fails before leaves nothing. (A failure after it is opened removes
  // the temporary file: Output, and the interrupt handlers for a rank killed by mpirun.)
  const ReportFormat format = json_or(writing.format);
  const std::size_t first_cluster = block.at(0);
  std::ostream* os = nullptr;
  std::optional<ReportPage> page;
  std::string temp;  // rank 0's temporary file, when at.direct
  bool direct = false;
  int fd = -1;
  const auto open_output = [&] {
    struct {
      std::uint64_t path_size = 0;
      std::uint64_t direct = 0;  // 1: the ranks may write into the file (it is a regular file, no HTML); 64-bit: no padding to broadcast
    } at;
    if (me == 0) {
      std::ostream& file = writing.open();
      if (writing.format == ReportWriting::Format::html) page.emplace(report, file);
      os = page ? &page->json() : &file;
      if (!page && writing.temp_path) temp = writing.temp_path();
      if (!temp.empty()) at = {temp.size(), 1};
    }
    MPI_Bcast(&at, sizeof at, MPI_BYTE, 0, comm);
    if (me != 0) fault_point(me, "write");  // the test hook: rank 0 has its output open now
    if (at.direct) {
      temp.resize(at.path_size);
      MPI_Bcast(temp.data(), static_cast<int>(at.path_size), MPI_CHAR, 0, comm);
      if (me != 0) {
        // The temporary rank 0 made (mkstemp: a name no other file has): not there on a machine
        // that does not share rank 0's filesystem, and then every rank sends its block instead.
        fd = ::open(temp.c_str(), O_WRONLY | O_CLOEXEC);
        struct stat st {};
        if (fd >= 0 && (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))) {
          ::close(fd);
          fd = -1;
        }
      }
      int can = me == 0 || fd >= 0;
      MPI_Allreduce(MPI_IN_PLACE, &can, 1, MPI_INT, MPI_MIN, comm);
      direct = can != 0;
      if (!direct && fd >= 0) {
        ::close(fd);
        fd = -1;
      }
    }
  };
  fault_point(me, "format");
  const bool open_early = writing.format == ReportWriting::Format::json;  // the same on every rank
  if (open_early) open_output();
  const bool streamed = open_early && direct;  // members formatted where read, blocks written as they arrive

  // members: each member (with its text) to the rank that formats its cluster (unless streamed).
  auto owned_part = std::make_unique<Report>();  // this rank's block of the report
  Report& part = *owned_part;
  if (!streamed) {
    part.member_text = writing.member_text;
    part.clusters.resize((block.size() - 1) / 2);
    for (std::size_t k = 0; k < part.clusters.size(); ++k) part.clusters[k].id = block[1 + 2 * k];
    // The block's members are allocated cluster by cluster as the first of each arrives, and the
    // members read here are freed partial cluster by partial cluster as soon as all of theirs are
    // sent or moved, both in the exchange's order: the one reuses what the other freed. Allocated
    // all at once beforehand, the block's members were fresh memory on a rank that had little
    // freed (rank 1 at np = 2 on the dense 1 GiB corpus faulted in about 120 MB during this stage).
    auto slot = [&](std::uint32_t cluster, std::uint32_t m) -> Member& {
      auto& members = part.clusters.at(cluster).members;
      if (members.empty()) members.resize(block.at(2 + 2 * std::size_t{cluster}));
      return members.at(m);
    };
    std::size_t freed = 0, freed_end = 0;  // located[0, freed) are freed; they held flat[0, freed_end)
    auto done = [&](std::size_t k) {        // flat[k] was sent or moved (or is not written)
      while (freed < located.size() && freed_end + located[freed].members.size() <= k + 1) {
        freed_end += located[freed].members.size();
        std::vector<Member>().swap(located[freed++].members);
      }
    };
    exchange_records(
        comm, flat.size(),
        [&](std::size_t k) {
          const std::uint32_t to = routes[k].rank;
          if (to == static_cast<std::uint32_t>(me)) slot(routes[k].cluster, refs[k].m) = std::move(*flat[k]);
          if (to == kNowhere || to == static_cast<std::uint32_t>(me)) {  // moved here, or not written
            done(k);
            return -1;
          }
          return static_cast<int>(to);
        },
        [&](std::size_t k, Writer& w) {
          const Member& m = *flat[k];
          w.put(routes[k].cluster);
          w.put(refs[k].m);
          // Its input's number, not its path: every rank knows the inputs' names (the path is
          // the name, make_member), and a path is a tenth of a member's bytes on the wire.
          w.put(static_cast<std::uint32_t>(first_input + index.input_of(refs[k].id - base)));
          put_location(w, m);
          w.put(m.text);
          done(k);
        },
        [&](Reader& r) {
          const auto k = r.get<std::uint32_t>(), m = r.get<std::uint32_t>();
          Member& x = slot(k, m);
          const auto input = r.get<std::uint32_t>();
          if (input >= source.count()) throw std::runtime_error("MPI message with an input out of range");
          x.path = source.name(input);
          get_location(r, x);
          x.text = r.get_string();
        },
        traffic);
    flat = {};
    located = {};
    refs = {};
    routes = {};
    for (ReportCluster& c : part.clusters) c.weight = cluster_weight(c);
    mine.mark("members");
  }
  // Every rank holds its block (exchange_records ends when every rank is done), or will format it as
  // its members arrive. The stage times end here: formatting and writing are not stages in one
  // process either.
  clock.mark("report");
  if (me == 0) st.seconds = clock.finish();
  if (!open_early) open_output();

  // write. When the output is a file every rank can open (a shared filesystem, or one machine),
  // each rank formats its block straight into it at its offset, all at once: the ranks whose
  // blocks are not the last size their blocks first (JSON: the size rank 0 planned; otherwise
  // report_clusters_size) while rank 0, which holds the last block, writes the head; so each knows
  // where its block starts. Otherwise rank 0 writes the head, then the blocks in order: its own
  // formatted into its stream, the others' asked from their ranks, formatted into memory meanwhile
  // and sent in pieces. Rank 0 writes the tail last either way.
  if (direct) {
    // Rank 0: where the head ends (kNoHead: it could not be written); the others: their block's bytes.
    constexpr std::uint64_t kNoHead = UINT64_MAX;
    std::uint64_t counted = 0;
    if (me == 0) {
      write_report_head(report, format, writing.text, total_clusters, *os);
      const auto pos = os->flush() ? os->tellp() : std::streampos(-1);
      counted = pos >= 0 ? static_cast<std::uint64_t>(pos) : kNoHead;
    } else {
      counted = exact ? block_bytes[static_cast<std::size_t>(block_of(me, n))]
                      : report_clusters_size(part, format, writing.text, first_cluster);
    }
    std::vector<std::uint64_t> sizes(static_cast<std::size_t>(n));
    MPI_Allgather(&counted, 1, MPI_UINT64_T, sizes.data(), 1, MPI_UINT64_T, comm);
    if (me == 0 && exact) counted = block_bytes[static_cast<std::size_t>(block_of(me, n))];
    mine.mark("count");
    const std::uint64_t head_end = sizes[0];
    std::uint64_t offset = head_end;
    for (int b = 0; b < block_of(me, n); ++b) offset += sizes[static_cast<std::size_t>(block_holder(b, n))];
    std::uint64_t written = 0;
    std::string why;
    // Streamed, every rank takes part in the exchange whatever happened to its file.
    std::ofstream nowhere;
    nowhere.setstate(std::ios::badbit);
    bool exchanged = !streamed;
    if (head_end == kNoHead) {
      why = "the head of the report could not be written";
    } else {
      // Rank 0 too writes its block through a descriptor of its own (its stream, flushed after the
      // head, stands at head_end and is moved past the blocks below).
      if (me == 0) fd = ::open(temp.c_str(), O_WRONLY | O_CLOEXEC);
      if (fd < 0) {
        why = std::strerror(errno);
      } else {
        // Formatted straight into the file at its offset, without holding the block in memory (on
        // this VM, memory touched for the first time cost more than formatting a block twice), the
        // whole pages around the page cache (PagedFileWriter, output.hpp).
        const int direct_fd = open_direct(temp);
        PagedFileWriter file(fd, direct_fd, offset, std::min(chunk_bytes(), std::size_t{4} << 20));
        std::ostream fs(&file);
        if (streamed) {
          stream_json_block(comm, me, flat, refs, routes, heads, block, block_weights, writing.member_text, fs, traffic);
          exchanged = true;
        } else {
          write_report_clusters(part, format, writing.text, first_cluster, fs);
        }
        fs.flush();
        why = file.finish();
        written = file.size();
        if (direct_fd >= 0) ::close(direct_fd);
        if (::close(fd) != 0 && why.empty()) why = std::strerror(errno);
      }
    }
    if (!exchanged)  // this rank's bytes go nowhere, but the others' exchange needs it
      stream_json_block(comm, me, flat, refs, routes, heads, block, block_weights, writing.member_text, nowhere, traffic);
    if (streamed) mine.mark("members");
    if (head_end == kNoHead && fd >= 0) ::close(fd);
    // The count and the bytes written come from the same code (report.cpp's json_clusters, or the
    // same formatting into a counter): a difference is a bug, and would leave a gap or an overlap in
    // the file.
    if (why.empty() && (me != 0 || exact) && written != counted)
      why = "its block took " + std::to_string(written) + " bytes, counted " + std::to_string(counted);
    if (!why.empty())
      std::cerr << "recur report: rank " << me << " of " << n << ": cannot write its block into " << temp << ": "
                << why << std::endl;
    if (me != 0) fault_point(me, "written");  // the test hook: its block is in the file
    std::uint64_t totals[2] = {why.empty() ? 0u : 1u, written};  // failures, bytes of all blocks
    MPI_Allreduce(MPI_IN_PLACE, totals, 2, MPI_UINT64_T, MPI_SUM, comm);
    if (me == 0) {
      // A rank that could not write its block: the output fails (Output::finish removes it).
      if (totals[0] != 0) os->setstate(std::ios::badbit);
      else os->seekp(static_cast<std::streamoff>(head_end + totals[1]));
    }
  } else if (me == 0) {
    write_report_head(report, format, writing.text, total_clusters, *os);
    mine.mark("count");  // nothing to count: the blocks are written one after the other
    std::vector<char> buf;
    for (int b = 0; b < n; ++b) {
      const int r = block_holder(b, n);
      if (r == 0) {
        write_report_clusters(part, format, writing.text, first_cluster, *os);
        continue;
      }
      std::uint64_t size = 0;
      MPI_Sendrecv(&size, 0, MPI_BYTE, r, kTagGo, &size, 1, MPI_UINT64_T, r, kTagSize, comm, MPI_STATUS_IGNORE);
      traffic.received += sizeof size;
      for (std::uint64_t got = 0; got < size;) {
        MPI_Status status;
        MPI_Probe(r, kTagPiece, comm, &status);
        int count = 0;
        MPI_Get_count(&status, MPI_BYTE, &count);
        buf.resize(static_cast<std::size_t>(count));
        MPI_Recv(buf.data(), count, MPI_BYTE, r, kTagPiece, comm, MPI_STATUS_IGNORE);
        os->write(buf.data(), count);
        got += static_cast<std::uint64_t>(count);
        traffic.received += static_cast<std::uint64_t>(count);
        ++traffic.rounds;
      }
    }
  } else {
    // Formatted into memory while rank 0 writes the blocks before this one.
    mine.mark("count");
    PieceBuf piece(chunk_bytes());
    {
      std::ostream ps(&piece);
      write_report_clusters(part, format, writing.text, first_cluster, ps);
      ps.flush();
    }
    MPI_Recv(nullptr, 0, MPI_BYTE, 0, kTagGo, comm, MPI_STATUS_IGNORE);
    std::uint64_t size = piece.size();
    MPI_Send(&size, 1, MPI_UINT64_T, 0, kTagSize, comm);
    traffic.sent += sizeof size;
    for (std::string& p : piece.pieces) {
      MPI_Send(p.data(), static_cast<int>(p.size()), MPI_BYTE, 0, kTagPiece, comm);
      traffic.sent += p.size();
      ++traffic.rounds;
      std::string().swap(p);
    }
  }
  if (me == 0) {
    write_report_tail(report, format, writing.text, total_clusters, *os);
    if (page) page->finish();
  }
  mine.mark("write");

  // Every rank's figures to rank 0.
  {
    RankFigures f;
    f.rank = me;
    f.inputs = shard.count();
    f.bytes = shard_bytes;
    f.paragraphs = index.size();
    f.seconds = mine.finish();
    Writer w;
    w.put(f.inputs);
    w.put(f.bytes);
    w.put(f.paragraphs);
    w.put<std::uint64_t>(f.seconds.size());
    for (const auto& [name, s] : f.seconds) {
      w.put(name);
      w.put(s);
    }
    // The traffic up to here (this last message is not counted).
    w.put(traffic.sent);
    w.put(traffic.received);
    w.put(traffic.rounds);
    w.put(peak_rss());
    std::vector<std::vector<char>> out(static_cast<std::size_t>(n));
    out[0] = std::move(w.bytes);
    const auto in = exchange(comm, out, traffic);
    if (me == 0 && figures) {
      figures->clear();
      for (std::size_t r = 0; r < in.size(); ++r) {
        Reader rd(in[r]);
        RankFigures g;
        g.rank = static_cast<int>(r);
        g.inputs = rd.get<std::uint64_t>();
        g.bytes = rd.get<std::uint64_t>();
        g.paragraphs = rd.get<std::uint64_t>();
        g.seconds.resize(rd.get<std::uint64_t>());
        for (auto& [name, s] : g.seconds) {
          name = rd.get_string();
          s = rd.get<double>();
        }
        g.sent = rd.get<std::uint64_t>();
        g.received = rd.get<std::uint64_t>();
        g.exchange_rounds = rd.get<std::uint64_t>();
        g.peak_rss = rd.get<std::uint64_t>();
        figures->push_back(std::move(g));
      }
    }
  }
  // The block's members (millions of strings on a large corpus) are left to the end of the process,
  // as the CLI leaves one process's report (free_at_exit): freeing them one by one took 2 s of the
  // dense 1 GiB corpus's run at np = 1. Streamed, the members read here (located) are the ones left
  // instead. A build with a sanitizer frees them, for leak checking.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  owned_part.reset();
  located = {};
#else
  static_cast<void>(owned_part.release());
  if (!located.empty()) static_cast<void>(new std::vector<ReportCluster>(std::move(located)));
#endif
  return report;
}

}  // namespace recur
