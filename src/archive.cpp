// The SQLite archive: schema, adding files in batches, the log-structured seed index, removal,
// lookup, and the read-only view queries use.
#include "recur/archive.hpp"

#include <sqlite3.h>
#include <sys/stat.h>
#include <xxhash.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cmath>
#include <condition_variable>
#include <cstring>
#include <ctime>
#include <exception>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "recur/error.hpp"
#include "recur/options.hpp"
#include "recur/scan.hpp"

namespace recur {
namespace {

static_assert(std::endian::native == std::endian::little, "blocks are stored little-endian, as the host writes them");

// "rcur" in the database header's application id: how an archive is told from other SQLite files.
constexpr std::int32_t kApplicationId = 0x72637572;
// Postings per block: 320 x 12 bytes = 3840 bytes, which fits in one 4 KiB page of a rowid table,
// so a lookup reads one page per block.
constexpr std::size_t kBlockPostings = 320;
// Size tiers of parts: a part of fewer postings than this is tier 0; each tier above is 8 times
// larger. When a tier holds kMergeWidth parts they are merged into one (of the next tier), so a
// posting is rewritten about once per tier and a lookup reads at most 7 parts per tier.
constexpr std::uint64_t kTierBase = 65536;
constexpr std::size_t kMergeWidth = 8;
// How long a writer waits for another writer's transaction before giving up.
constexpr int kBusyMilliseconds = 120000;
// SQLite's default limit on a value (SQLITE_MAX_LENGTH, 10^9 bytes), less room for the row.
constexpr std::uint64_t kMaxFileBytes = 999'000'000;

const char* const kSchema = R"sql(
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE files(id INTEGER PRIMARY KEY, path TEXT NOT NULL UNIQUE, size INTEGER NOT NULL,
                   hash TEXT NOT NULL, encoding TEXT NOT NULL, added TEXT NOT NULL);
CREATE TABLE texts(file INTEGER PRIMARY KEY, bytes BLOB NOT NULL);
CREATE TABLE docs(id INTEGER PRIMARY KEY AUTOINCREMENT, file INTEGER NOT NULL, idx INTEGER NOT NULL,
                  title TEXT NOT NULL, chars INTEGER NOT NULL, seeds INTEGER NOT NULL);
CREATE INDEX docs_file ON docs(file, idx);
CREATE TABLE parts(id INTEGER PRIMARY KEY, postings INTEGER NOT NULL, first_block INTEGER NOT NULL,
                   blocks INTEGER NOT NULL, directory BLOB NOT NULL);
CREATE TABLE blocks(id INTEGER PRIMARY KEY, data BLOB NOT NULL);
)sql";

// --- SQLite, thinly ---------------------------------------------------------------------------

[[noreturn]] void fail(sqlite3* db, const std::string& path, const std::string& what) {
  const int code = db ? sqlite3_extended_errcode(db) : SQLITE_ERROR;
  const std::string msg = db ? sqlite3_errmsg(db) : "out of memory";
  switch (code & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      throw Error(errc::io, path + " is being written by another recur; try again when it has finished");
    case SQLITE_FULL: throw Error(errc::io, "cannot write " + path + ": the disk is full");
    case SQLITE_READONLY: throw Error(errc::io, "cannot write " + path + ": it is read-only (" + msg + ")");
    case SQLITE_NOTADB: throw Error(errc::input, path + " is not a recur archive (not an SQLite database)");
    case SQLITE_CORRUPT: throw Error(errc::input, path + " is damaged (" + msg + ")");
    default: throw Error(errc::io, path + ": " + what + ": " + msg);
  }
}

class Stmt {
 public:
  Stmt(sqlite3* db, const std::string& path, const char* sql) : db_(db), path_(&path) {
    if (sqlite3_prepare_v2(db, sql, -1, &s_, nullptr) != SQLITE_OK) fail(db_, *path_, std::string("preparing ") + sql);
  }
  ~Stmt() { sqlite3_finalize(s_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  Stmt& bind(int i, std::int64_t v) {
    check(sqlite3_bind_int64(s_, i, v));
    return *this;
  }
  Stmt& bind(int i, std::string_view v) {
    check(sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT));
    return *this;
  }
  Stmt& bind_blob(int i, const void* data, std::size_t n) {
    check(sqlite3_bind_blob64(s_, i, n ? data : "", n, SQLITE_STATIC));
    return *this;
  }
  // True while there is a row; false when done. Throws on error.
  bool step() {
    const int rc = sqlite3_step(s_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    fail(db_, *path_, std::string("running ") + sqlite3_sql(s_));
  }
  void run() {
    step();
    reset();
  }
  void reset() {
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
  }
  std::int64_t i64(int c) const { return sqlite3_column_int64(s_, c); }
  std::string text(int c) const {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s_, c));
    return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(s_, c))) : std::string();
  }
  std::string_view blob(int c) const {
    const void* p = sqlite3_column_blob(s_, c);
    return p ? std::string_view(static_cast<const char*>(p), static_cast<std::size_t>(sqlite3_column_bytes(s_, c)))
             : std::string_view();
  }

 private:
  void check(int rc) {
    if (rc != SQLITE_OK) fail(db_, *path_, "binding a value");
  }
  sqlite3* db_;
  const std::string* path_;
  sqlite3_stmt* s_ = nullptr;
};

void exec(sqlite3* db, const std::string& path, const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    sqlite3_free(err);
    fail(db, path, std::string("running ") + sql);
  }
}

std::int64_t scalar(sqlite3* db, const std::string& path, const char* sql) {
  Stmt s(db, path, sql);
  return s.step() ? s.i64(0) : 0;
}

// Rolls back the transaction it guards unless released (an exception, or an early return).
class Transaction {
 public:
  Transaction(sqlite3* db, const std::string& path) : db_(db), path_(path) {
    exec(db_, path_, "BEGIN IMMEDIATE");
  }
  ~Transaction() {
    if (open_) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  }
  void commit() {
    exec(db_, path_, "COMMIT");
    open_ = false;
  }
  void rollback() {
    exec(db_, path_, "ROLLBACK");
    open_ = false;
  }

 private:
  sqlite3* db_;
  const std::string& path_;
  bool open_ = true;
};

// A read snapshot for the statements of its scope (a savepoint: it nests in a view's transaction).
class Snapshot {
 public:
  Snapshot(sqlite3* db, const std::string& path) : db_(db) { exec(db, path, "SAVEPOINT snapshot"); }
  ~Snapshot() { sqlite3_exec(db_, "RELEASE snapshot", nullptr, nullptr, nullptr); }
  Snapshot(const Snapshot&) = delete;
  Snapshot& operator=(const Snapshot&) = delete;

 private:
  sqlite3* db_;
};

std::string utc_now() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string content_hash(std::string_view bytes) {
  const XXH128_hash_t h = XXH3_128bits(bytes.data(), bytes.size());
  XXH128_canonical_t c;
  XXH128_canonicalFromHash(&c, h);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char b : c.digest) {
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  return out;
}

// --- postings, blocks and parts ---------------------------------------------------------------

struct Posting {
  std::uint64_t hash = 0;
  std::uint64_t doc = 0;
  friend bool operator<(const Posting& x, const Posting& y) {
    return x.hash != y.hash ? x.hash < y.hash : x.doc < y.doc;
  }
};

// A block decoded: hashes and document ids, sorted by (hash, document).
struct Block {
  std::vector<std::uint64_t> hash;
  std::vector<std::uint32_t> doc;
  std::size_t size() const { return hash.size(); }
  void decode(std::string_view data) {
    const std::size_t n = data.size() / 12;
    hash.resize(n);
    doc.resize(n);
    if (n == 0) return;  // an emptied block (its data may be a null pointer)
    std::memcpy(hash.data(), data.data(), n * 8);
    std::memcpy(doc.data(), data.data() + n * 8, n * 4);
  }
  std::string encode() const {
    std::string out(size() * 12, '\0');
    if (size() == 0) return out;
    std::memcpy(out.data(), hash.data(), size() * 8);
    std::memcpy(out.data() + size() * 8, doc.data(), size() * 4);
    return out;
  }
};

struct Part {
  std::int64_t id = 0;
  std::uint64_t postings = 0;
  std::int64_t first_block = 0;
  std::uint64_t blocks = 0;
  std::vector<std::uint64_t> dir;  // per block: an upper bound of its hashes (exact when written)
};

std::vector<Part> load_parts(sqlite3* db, const std::string& path) {
  std::vector<Part> parts;
  Stmt s(db, path, "SELECT id, postings, first_block, blocks, directory FROM parts ORDER BY id");
  while (s.step()) {
    Part p;
    p.id = s.i64(0);
    p.postings = static_cast<std::uint64_t>(s.i64(1));
    p.first_block = s.i64(2);
    p.blocks = static_cast<std::uint64_t>(s.i64(3));
    const std::string_view d = s.blob(4);
    p.dir.resize(d.size() / 8);
    if (!p.dir.empty()) std::memcpy(p.dir.data(), d.data(), p.dir.size() * 8);
    if (p.dir.size() != p.blocks) throw Error(errc::input, path + " is damaged (part " + std::to_string(p.id) + ")");
    parts.push_back(std::move(p));
  }
  return parts;
}

unsigned tier_of(std::uint64_t postings) {
  unsigned t = 0;
  for (std::uint64_t n = postings; n >= kTierBase; n /= kMergeWidth) ++t;
  return t;
}

// Reads blocks by id, keeping the last one read (consecutive lookups often hit it).
class BlockReader {
 public:
  BlockReader(sqlite3* db, const std::string& path)
      : select_(db, path, "SELECT data FROM blocks WHERE id = ?"), path_(path) {}
  Block& get(std::int64_t id) {
    if (id != id_) {
      select_.bind(1, id);
      if (!select_.step()) {
        select_.reset();
        throw Error(errc::input, path_ + " is damaged (block " + std::to_string(id) + " is missing)");
      }
      block_.decode(select_.blob(0));
      select_.reset();
      id_ = id;
    }
    return block_;
  }
  void forget() { id_ = -1; }

 private:
  Stmt select_;
  const std::string& path_;
  std::int64_t id_ = -1;
  Block block_;
};

// Appends a part made of `postings` (sorted) to the index.
void write_part(sqlite3* db, const std::string& path, const std::vector<Posting>& postings) {
  if (postings.empty()) return;
  const std::int64_t first = scalar(db, path, "SELECT coalesce(max(id), 0) + 1 FROM blocks");
  const std::int64_t part = scalar(db, path, "SELECT coalesce(max(id), 0) + 1 FROM parts");
  Stmt insert(db, path, "INSERT INTO blocks(id, data) VALUES(?, ?)");
  std::vector<std::uint64_t> dir;
  Block b;
  for (std::size_t i = 0; i < postings.size(); i += kBlockPostings) {
    const std::size_t n = std::min(kBlockPostings, postings.size() - i);
    b.hash.resize(n);
    b.doc.resize(n);
    for (std::size_t k = 0; k < n; ++k) {
      b.hash[k] = postings[i + k].hash;
      b.doc[k] = static_cast<std::uint32_t>(postings[i + k].doc);
    }
    const std::string data = b.encode();
    insert.bind(1, first + static_cast<std::int64_t>(dir.size())).bind_blob(2, data.data(), data.size()).run();
    dir.push_back(b.hash.back());
  }
  Stmt p(db, path, "INSERT INTO parts(id, postings, first_block, blocks, directory) VALUES(?, ?, ?, ?, ?)");
  p.bind(1, part)
      .bind(2, static_cast<std::int64_t>(postings.size()))
      .bind(3, first)
      .bind(4, static_cast<std::int64_t>(dir.size()))
      .bind_blob(5, dir.data(), dir.size() * 8)
      .run();
}

// The postings of `hashes` (ascending) in the parts: out[k] gets the documents of hashes[k], at
// most limit + 1 of them.
void lookup_parts(BlockReader& reader, const std::vector<Part>& parts, std::span<const std::uint64_t> hashes,
                  std::size_t limit, std::vector<std::vector<std::uint64_t>>& out) {
  out.assign(hashes.size(), {});
  for (const Part& part : parts) {
    reader.forget();
    for (std::size_t k = 0; k < hashes.size(); ++k) {
      const std::uint64_t h = hashes[k];
      if (out[k].size() > limit) continue;
      std::size_t j = static_cast<std::size_t>(std::lower_bound(part.dir.begin(), part.dir.end(), h) - part.dir.begin());
      for (; j < part.blocks; ++j) {
        const Block& b = reader.get(part.first_block + static_cast<std::int64_t>(j));
        const auto lo = std::lower_bound(b.hash.begin(), b.hash.end(), h);
        for (auto it = lo; it != b.hash.end() && *it == h && out[k].size() <= limit; ++it)
          out[k].push_back(b.doc[static_cast<std::size_t>(it - b.hash.begin())]);
        // The block's directory entry may be larger than its last hash after removals: the
        // hash can continue in the next block only when this one ends at or before it.
        if (b.size() > 0 && b.hash.back() > h) break;
      }
    }
  }
  for (auto& docs : out) std::sort(docs.begin(), docs.end());
}

// Where posting `p` is in `part`: the block id and position, or block -1. `get(id)` gives a block.
template <class Get>
std::pair<std::int64_t, std::size_t> find_posting(Get&& get, const Part& part, const Posting& p) {
  std::size_t j = static_cast<std::size_t>(std::lower_bound(part.dir.begin(), part.dir.end(), p.hash) - part.dir.begin());
  for (; j < part.blocks; ++j) {
    const std::int64_t id = part.first_block + static_cast<std::int64_t>(j);
    const Block& b = get(id);
    std::size_t at = static_cast<std::size_t>(std::lower_bound(b.hash.begin(), b.hash.end(), p.hash) - b.hash.begin());
    while (at < b.size() && b.hash[at] == p.hash && b.doc[at] < p.doc) ++at;
    if (at < b.size() && b.hash[at] == p.hash && b.doc[at] == p.doc) return {id, at};
    // The directory entry may exceed the block's last hash after removals: the hash can go on
    // in the next block only when this one ends at or before it.
    if (b.size() > 0 && b.hash.back() > p.hash) break;
  }
  return {-1, 0};
}

// Blocks read, and the ones changed kept apart until written back.
class BlockEditor {
 public:
  BlockEditor(sqlite3* db, const std::string& path)
      : reader_(db, path), update_(db, path, "UPDATE blocks SET data = ? WHERE id = ?") {}
  const Block& get(std::int64_t id) {
    auto it = edited_.find(id);
    return it != edited_.end() ? it->second : reader_.get(id);
  }
  Block& edit(std::int64_t id) {
    auto it = edited_.find(id);
    if (it == edited_.end()) it = edited_.emplace(id, reader_.get(id)).first;
    return it->second;
  }
  // Writes back the changed blocks before block `id` (all of them by default).
  void flush(std::int64_t id = INT64_MAX) {
    while (!edited_.empty() && edited_.begin()->first < id) {
      const std::string data = edited_.begin()->second.encode();
      update_.bind_blob(1, data.data(), data.size()).bind(2, edited_.begin()->first).run();
      edited_.erase(edited_.begin());
    }
  }

 private:
  BlockReader reader_;
  Stmt update_;
  std::map<std::int64_t, Block> edited_;
};

// Removes `removals` (sorted) from the parts; `removed[doc]` counts what was found. A document's
// postings are all in one part (added together, merged together), so each document is looked for
// in the parts with one of its postings, and its postings only in its part. Blocks keep their place
// and directory entry (an upper bound stays one when postings leave).
void remove_postings(sqlite3* db, const std::string& path, std::vector<Part>& parts,
                     const std::vector<Posting>& removals, std::unordered_map<std::uint64_t, std::uint64_t>& removed) {
  BlockEditor blocks(db, path);
  auto get = [&](std::int64_t id) -> const Block& { return blocks.get(id); };
  std::unordered_map<std::uint64_t, std::size_t> part_of;  // document -> index in parts
  for (const Posting& r : removals) {
    if (part_of.count(r.doc)) continue;
    part_of[r.doc] = parts.size();  // in no part, unless found below
    for (std::size_t pi = 0; pi < parts.size(); ++pi)
      if (find_posting(get, parts[pi], r).first >= 0) {
        part_of[r.doc] = pi;
        break;
      }
  }
  Stmt update_part(db, path, "UPDATE parts SET postings = ? WHERE id = ?");
  for (std::size_t pi = 0; pi < parts.size(); ++pi) {
    Part& part = parts[pi];
    std::uint64_t taken = 0;
    for (const Posting& r : removals) {
      if (part_of[r.doc] != pi) continue;
      // Removals are sorted, so later ones never go back before the block where this one's
      // search starts: the blocks changed before it are written now, each once.
      const auto j = std::lower_bound(part.dir.begin(), part.dir.end(), r.hash) - part.dir.begin();
      blocks.flush(part.first_block + j);
      const auto [id, at] = find_posting(get, part, r);
      if (id < 0) continue;
      Block& b = blocks.edit(id);
      b.hash.erase(b.hash.begin() + static_cast<std::ptrdiff_t>(at));
      b.doc.erase(b.doc.begin() + static_cast<std::ptrdiff_t>(at));
      ++taken;
      ++removed[r.doc];
    }
    blocks.flush();
    if (taken > 0) {
      part.postings -= taken;
      update_part.bind(1, static_cast<std::int64_t>(part.postings)).bind(2, part.id).run();
    }
  }
}

// Removes every posting of the documents `docs` by reading all blocks: the fallback when a
// document's seeds cannot be recomputed from its text exactly. Returns the count per document.
void sweep_documents(sqlite3* db, const std::string& path, std::vector<Part>& parts,
                     const std::unordered_set<std::uint64_t>& docs, std::unordered_map<std::uint64_t, std::uint64_t>& removed) {
  Stmt update(db, path, "UPDATE blocks SET data = ? WHERE id = ?");
  Stmt update_part(db, path, "UPDATE parts SET postings = ? WHERE id = ?");
  BlockReader reader(db, path);
  for (Part& part : parts) {
    std::uint64_t taken = 0;
    for (std::uint64_t j = 0; j < part.blocks; ++j) {
      const std::int64_t id = part.first_block + static_cast<std::int64_t>(j);
      Block& b = reader.get(id);
      Block kept;
      for (std::size_t k = 0; k < b.size(); ++k) {
        if (docs.count(b.doc[k])) {
          ++removed[b.doc[k]];
          continue;
        }
        kept.hash.push_back(b.hash[k]);
        kept.doc.push_back(b.doc[k]);
      }
      if (kept.size() == b.size()) continue;
      taken += b.size() - kept.size();
      const std::string data = kept.encode();
      update.bind_blob(1, data.data(), data.size()).bind(2, id).run();
      reader.forget();
    }
    if (taken > 0) {
      part.postings -= taken;
      update_part.bind(1, static_cast<std::int64_t>(part.postings)).bind(2, part.id).run();
    }
  }
}

// Merges `chosen` parts into one, streaming block by block. Returns false when `stop` asked to
// stop (the caller rolls back).
bool merge_parts(sqlite3* db, const std::string& path, const std::vector<Part>& chosen,
                 const std::function<int()>& stop) {
  struct Cursor {
    const Part* part;
    std::unique_ptr<BlockReader> reader;
    std::uint64_t j = 0;
    std::size_t pos = 0;
    const Block* block = nullptr;
    bool next_block() {  // the next non-empty block, or false at the end
      while (j < part->blocks) {
        block = &reader->get(part->first_block + static_cast<std::int64_t>(j++));
        pos = 0;
        if (block->size() > 0) return true;
      }
      block = nullptr;
      return false;
    }
    Posting current() const { return {block->hash[pos], block->doc[pos]}; }
  };
  std::vector<Cursor> cursors;
  for (const Part& p : chosen) {
    Cursor c{&p, std::make_unique<BlockReader>(db, path)};
    if (c.next_block()) cursors.push_back(std::move(c));
  }
  const std::int64_t first = scalar(db, path, "SELECT coalesce(max(id), 0) + 1 FROM blocks");
  const std::int64_t part_id = scalar(db, path, "SELECT coalesce(max(id), 0) + 1 FROM parts");
  Stmt insert(db, path, "INSERT INTO blocks(id, data) VALUES(?, ?)");
  std::vector<std::uint64_t> dir;
  std::uint64_t total = 0;
  Block out;
  auto emit = [&] {
    if (out.size() == 0) return;
    const std::string data = out.encode();
    insert.bind(1, first + static_cast<std::int64_t>(dir.size())).bind_blob(2, data.data(), data.size()).run();
    dir.push_back(out.hash.back());
    total += out.size();
    out.hash.clear();
    out.doc.clear();
  };
  while (!cursors.empty()) {
    std::size_t best = 0;
    for (std::size_t c = 1; c < cursors.size(); ++c)
      if (cursors[c].current() < cursors[best].current()) best = c;
    const Posting p = cursors[best].current();
    out.hash.push_back(p.hash);
    out.doc.push_back(static_cast<std::uint32_t>(p.doc));
    if (out.size() == kBlockPostings) {
      emit();
      if (stop && dir.size() % 256 == 0 && stop()) return false;
    }
    Cursor& c = cursors[best];
    if (++c.pos == c.block->size() && !c.next_block()) cursors.erase(cursors.begin() + static_cast<std::ptrdiff_t>(best));
  }
  emit();
  Stmt del_blocks(db, path, "DELETE FROM blocks WHERE id >= ? AND id < ?");
  Stmt del_part(db, path, "DELETE FROM parts WHERE id = ?");
  for (const Part& p : chosen) {
    del_blocks.bind(1, p.first_block).bind(2, p.first_block + static_cast<std::int64_t>(p.blocks)).run();
    del_part.bind(1, p.id).run();
  }
  if (total > 0) {
    Stmt ins(db, path, "INSERT INTO parts(id, postings, first_block, blocks, directory) VALUES(?, ?, ?, ?, ?)");
    ins.bind(1, part_id)
        .bind(2, static_cast<std::int64_t>(total))
        .bind(3, first)
        .bind(4, static_cast<std::int64_t>(dir.size()))
        .bind_blob(5, dir.data(), dir.size() * 8)
        .run();
  }
  return true;
}

// Merges the parts of a tier while some tier holds kMergeWidth of them, each merge its own
// transaction. A stop request rolls the current merge back (it changes no content).
void compact(sqlite3* db, const std::string& path, const std::function<int()>& stop) {
  for (;;) {
    if (stop && stop()) return;
    const std::vector<Part> parts = load_parts(db, path);
    std::map<unsigned, std::vector<Part>> tiers;
    for (const Part& p : parts) tiers[tier_of(p.postings)].push_back(p);
    const std::vector<Part>* chosen = nullptr;
    for (const auto& [tier, members] : tiers)
      if (members.size() >= kMergeWidth) {
        chosen = &members;
        break;
      }
    if (!chosen) return;
    Transaction t(db, path);
    if (!merge_parts(db, path, *chosen, stop)) return;  // rolled back by t
    t.commit();
  }
}

// One input read and hashed, and unless unchanged, scanned and seeded.
struct PreparedFile {
  Status status;
  bool unchanged = false;
  std::string bytes, hash, note;
  std::vector<DocumentSeeds> docs;
};

// A Source of one input held by reference (scan_file reads through a Source).
class OneSource final : public Source {
 public:
  OneSource(const std::string& name, const std::string& bytes) : name_(name), bytes_(bytes) {}
  std::size_t count() const noexcept override { return 1; }
  const std::string& name(std::size_t) const override { return name_; }
  std::uint64_t size(std::size_t) const override { return bytes_.size(); }
  Status read(std::size_t, std::string& out) const override {
    out.assign(bytes_);
    return {};
  }
  Status read_ranges(std::size_t, std::span<const ByteRange> ranges, std::vector<std::string>& out) const override {
    return copy_ranges(bytes_, ranges, out);
  }
  FileStamp stamp(std::size_t) const override { return {bytes_.size(), 0}; }

 private:
  const std::string& name_;
  const std::string& bytes_;
};

// The scan settings of an archive for files added with `encoding`, made once per encoding.
class SettingsByEncoding {
 public:
  explicit SettingsByEncoding(const InputOptions& input) : input_(input) {}
  const ScanSettings& operator[](const std::string& encoding) {
    auto& s = map_[encoding];
    if (!s) {
      InputOptions in = input_;
      in.decode.encoding = encoding;
      s = std::make_unique<ScanSettings>(in);
    }
    return *s;
  }

 private:
  InputOptions input_;
  std::map<std::string, std::unique_ptr<ScanSettings>> map_;
};

// The documents of archived file `file` as stored: its rows, and the seeds recomputed from its
// stored text (empty when the text no longer scans).
struct StoredDoc {
  std::uint64_t id = 0;
  std::uint32_t index = 0;
  std::uint64_t seeds = 0;
};

struct StoredFile {
  std::string path;
  std::vector<StoredDoc> docs;
  std::vector<DocumentSeeds> recomputed;
  bool scanned = false;
};

StoredFile stored_file(sqlite3* db, const std::string& archive, std::int64_t file, SettingsByEncoding& settings,
                       Normalizer& normalizer, unsigned seed, unsigned sample) {
  StoredFile f;
  std::string encoding;
  {
    Stmt s(db, archive, "SELECT path, encoding FROM files WHERE id = ?");
    s.bind(1, file);
    if (!s.step()) return f;
    f.path = s.text(0);
    encoding = s.text(1);
  }
  {
    Stmt s(db, archive, "SELECT id, idx, seeds FROM docs WHERE file = ? ORDER BY idx");
    s.bind(1, file);
    while (s.step())
      f.docs.push_back({static_cast<std::uint64_t>(s.i64(0)), static_cast<std::uint32_t>(s.i64(1)),
                        static_cast<std::uint64_t>(s.i64(2))});
  }
  std::string bytes;
  {
    Stmt s(db, archive, "SELECT bytes FROM texts WHERE file = ?");
    s.bind(1, file);
    if (!s.step()) return f;
    bytes.assign(s.blob(0));
  }
  const OneSource one(f.path, bytes);
  const ScannedFile scanned = scan_file(one, 0, settings[encoding]);
  if (!scanned.ok()) return f;
  f.recomputed = document_seeds(scanned, normalizer, seed, sample);
  f.scanned = true;
  return f;
}

// Postings to remove for archived files, collected across a transaction, then applied at once
// (sorted, so each block is read and written once).
struct Removals {
  std::vector<Posting> postings;
  std::unordered_map<std::uint64_t, std::uint64_t> expected;  // doc -> postings it has
  std::unordered_set<std::uint64_t> sweep;                    // docs whose seeds could not be recomputed
  std::uint64_t files = 0, documents = 0;

  bool empty() const { return expected.empty(); }

  // Takes file `file` out of the tables and notes its postings.
  void take(sqlite3* db, const std::string& archive, std::int64_t file, SettingsByEncoding& settings,
            Normalizer& normalizer, unsigned seed, unsigned sample) {
    const StoredFile f = stored_file(db, archive, file, settings, normalizer, seed, sample);
    for (const StoredDoc& d : f.docs) {
      expected[d.id] = d.seeds;
      const auto it = std::find_if(f.recomputed.begin(), f.recomputed.end(),
                                   [&](const DocumentSeeds& r) { return r.index == d.index; });
      if (it == f.recomputed.end() || it->seeds.size() != d.seeds) {
        if (d.seeds > 0) sweep.insert(d.id);
        continue;
      }
      for (std::uint64_t h : it->seeds) postings.push_back({h, d.id});
    }
    Stmt(db, archive, "DELETE FROM docs WHERE file = ?").bind(1, file).run();
    Stmt(db, archive, "DELETE FROM texts WHERE file = ?").bind(1, file).run();
    Stmt(db, archive, "DELETE FROM files WHERE id = ?").bind(1, file).run();
    ++files;
    documents += f.docs.size();
  }

  // Removes the postings from the index; documents whose postings were not all found where their
  // recomputed seeds said are swept. Returns the postings removed.
  std::uint64_t apply(sqlite3* db, const std::string& archive) {
    if (empty()) return 0;
    std::vector<Part> parts = load_parts(db, archive);
    std::sort(postings.begin(), postings.end());
    std::unordered_map<std::uint64_t, std::uint64_t> removed;
    remove_postings(db, archive, parts, postings, removed);
    for (const auto& [doc, n] : expected)
      if (removed[doc] != n) sweep.insert(doc);
    if (!sweep.empty()) sweep_documents(db, archive, parts, sweep, removed);
    std::uint64_t total = 0;
    for (const auto& [doc, n] : removed) total += n;
    postings.clear();
    expected.clear();
    sweep.clear();
    return total;
  }
};

std::string meta_value(sqlite3* db, const std::string& path, const char* key) {
  Stmt s(db, path, "SELECT value FROM meta WHERE key = ?");
  s.bind(1, std::string_view(key));
  return s.step() ? s.text(0) : std::string();
}

// --- the view queries read ---------------------------------------------------------------------

// The archived files as a Source: names are the paths they had when added, bytes come from texts.
class ArchiveTexts final : public Source {
 public:
  ArchiveTexts(sqlite3* db, const std::string& path, std::mutex& mutex)
      : mutex_(mutex), select_(db, path, "SELECT bytes FROM texts WHERE file = ?"), archive_(path) {}

  void add(std::int64_t id, std::string name, std::uint64_t size) {
    ids_.push_back(id);
    names_.push_back(std::move(name));
    sizes_.push_back(size);
  }
  std::size_t count() const noexcept override { return ids_.size(); }
  const std::string& name(std::size_t i) const override { return names_.at(i); }
  std::uint64_t size(std::size_t i) const override { return sizes_.at(i); }
  Status read(std::size_t i, std::string& out) const override {
    std::lock_guard lock(mutex_);
    select_.bind(1, ids_.at(i));
    const bool found = select_.step();
    if (found) out.assign(select_.blob(0));
    select_.reset();
    if (!found) return Status(StatusCode::not_found, "not in the archive " + archive_);
    return {};
  }
  Status read_ranges(std::size_t i, std::span<const ByteRange> ranges, std::vector<std::string>& out) const override {
    std::string all;
    if (Status s = read(i, all); !s.ok()) {
      out.assign(ranges.size(), std::string());
      return s;
    }
    return copy_ranges(all, ranges, out);
  }
  FileStamp stamp(std::size_t i) const override { return {sizes_.at(i), 0}; }

 private:
  std::mutex& mutex_;
  mutable Stmt select_;
  std::string archive_;
  std::vector<std::int64_t> ids_;
  std::vector<std::string> names_;
  std::vector<std::uint64_t> sizes_;
};

class SqliteView final : public ArchiveView {
 public:
  SqliteView(sqlite3* db, const std::string& path, const Fingerprint& fingerprint)
      : db_(db), path_(path), fingerprint_(fingerprint) {
    // A read transaction: everything below, and every later lookup, sees one snapshot.
    exec(db_, path_, "BEGIN");
    try {
      load();
    } catch (...) {
      sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
      throw;
    }
  }
  ~SqliteView() override {
    reader_.reset();
    texts_.reset();
    sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr);
  }

  const std::string& name() const override { return path_; }
  const Fingerprint& fingerprint() const override { return fingerprint_; }
  const Source& texts() const override { return *texts_; }
  const std::string& encoding(std::size_t input) const override { return encodings_.at(input); }
  std::size_t documents() const override { return docs_.size(); }
  const ArchivedDocument* document(std::uint64_t id) const override {
    auto it = docs_.find(id);
    return it == docs_.end() ? nullptr : &it->second;
  }
  void lookup(std::span<const std::uint64_t> hashes, std::size_t limit,
              std::vector<std::vector<std::uint64_t>>& out) const override {
    std::lock_guard lock(mutex_);
    lookup_parts(*reader_, parts_, hashes, limit, out);
  }

 private:
  void load() {
    texts_ = std::make_unique<ArchiveTexts>(db_, path_, mutex_);
    std::unordered_map<std::int64_t, std::size_t> input_of;
    {
      // Read in table order (one sequential pass), numbered in path order.
      struct Row {
        std::int64_t id;
        std::string path;
        std::uint64_t size;
        std::string encoding;
      };
      std::vector<Row> rows;
      Stmt s(db_, path_, "SELECT id, path, size, encoding FROM files");
      while (s.step()) rows.push_back({s.i64(0), s.text(1), static_cast<std::uint64_t>(s.i64(2)), s.text(3)});
      std::sort(rows.begin(), rows.end(), [](const Row& x, const Row& y) { return x.path < y.path; });
      input_of.reserve(rows.size());
      encodings_.reserve(rows.size());
      for (Row& r : rows) {
        input_of[r.id] = texts_->count();
        texts_->add(r.id, std::move(r.path), r.size);
        encodings_.push_back(std::move(r.encoding));
      }
    }
    {
      Stmt s(db_, path_, "SELECT id, file, idx, chars FROM docs");
      while (s.step()) {
        auto it = input_of.find(s.i64(1));
        if (it == input_of.end()) continue;
        const auto id = static_cast<std::uint64_t>(s.i64(0));
        docs_[id] = {id, it->second, static_cast<std::uint32_t>(s.i64(2)), static_cast<std::uint64_t>(s.i64(3))};
      }
    }
    parts_ = load_parts(db_, path_);
    reader_ = std::make_unique<BlockReader>(db_, path_);
  }

  sqlite3* db_;
  std::string path_;
  Fingerprint fingerprint_;
  mutable std::mutex mutex_;
  std::unique_ptr<ArchiveTexts> texts_;
  std::vector<std::string> encodings_;
  std::unordered_map<std::uint64_t, ArchivedDocument> docs_;
  std::vector<Part> parts_;
  std::unique_ptr<BlockReader> reader_;
};

std::uint64_t file_size_or_zero(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? static_cast<std::uint64_t>(st.st_size) : 0;
}

}  // namespace

// --- opening ----------------------------------------------------------------------------------

Archive::~Archive() {
  if (db_) {
    // Folds the write-ahead log back into the file when no reader needs it, so that a finished
    // archive is one file again.
    if (!read_only_) sqlite3_exec(db_, "PRAGMA wal_checkpoint(TRUNCATE)", nullptr, nullptr, nullptr);
    sqlite3_close_v2(db_);
  }
}

void Archive::load_meta() {
  // An SQLite file of 0 bytes, or one without tables: an archive whose creation was interrupted
  // before its first commit, or a new file. Only a writer may take it as a new archive.
  // One snapshot for every read below: an add creating the archive meanwhile commits the
  // application id, the tables and the meta rows together, and a reader must see all or none
  // (read apart, "no id yet" then "tables now" looked like another program's database).
  const Snapshot snapshot(db_, path_);
  std::int64_t app = 0, tables = 0;
  {
    Stmt s(db_, path_, "PRAGMA application_id");
    if (s.step()) app = s.i64(0);
  }
  tables = scalar(db_, path_, "SELECT count(*) FROM sqlite_master");
  if (app != kApplicationId) {
    if (tables == 0 && app == 0) {
      if (read_only_) throw Error(errc::input, path_ + " is empty: not a recur archive (recur index add creates one)");
      initialised_ = false;
      return;
    }
    throw Error(errc::input, path_ + " is not a recur archive (an SQLite database of another program)");
  }
  const std::string format = meta_value(db_, path_, "format");
  const std::string by = meta_value(db_, path_, "recur_version");
  int f = 0;
  try {
    f = std::stoi(format);
  } catch (const std::exception&) {
    throw Error(errc::input, path_ + " is damaged (its format is \"" + format + "\")");
  }
  if (f != kArchiveFormat)
    throw Error(errc::input, path_ + " was written in archive format " + format + (by.empty() ? "" : " by recur " + by) +
                                 "; this recur (" + version() + ") reads format " + std::to_string(kArchiveFormat) +
                                 (f > kArchiveFormat ? ": use a newer recur" : ": rebuild it with this recur"));
  fingerprint_ = parse_fingerprint(meta_value(db_, path_, "fingerprint"));
  initialised_ = true;
}

namespace {
sqlite3* open_db(const std::string& path, int flags) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, flags | SQLITE_OPEN_FULLMUTEX, nullptr) != SQLITE_OK) {
    const std::string msg = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close_v2(db);
    throw Error(errc::io, "cannot open " + path + ": " + msg);
  }
  sqlite3_extended_result_codes(db, 1);
  return db;
}

// A statement that reads the database file, which is when SQLite finds (and, on a writable
// connection, plays back) the hot journal of an interrupted writer.
constexpr const char* kFirstRead = "SELECT count(*) FROM sqlite_master";

// Opens `path` for writing just long enough for SQLite to play back the hot journal an
// interrupted writer left.
void roll_back_hot_journal(const std::string& path) {
  sqlite3* db = open_db(path, SQLITE_OPEN_READWRITE);
  sqlite3_busy_timeout(db, 10000);
  const bool writable = sqlite3_db_readonly(db, "main") == 0;
  const int rc = writable ? sqlite3_exec(db, kFirstRead, nullptr, nullptr, nullptr) : SQLITE_READONLY;
  const std::string msg = sqlite3_errmsg(db);
  sqlite3_close_v2(db);
  if (rc != SQLITE_OK)
    throw Error(errc::io, path + " was left in the middle of a write by an interrupted recur index add, and cannot be "
                          "restored to its last committed state (" + (writable ? msg : std::string("no write permission")) +
                          "); run recur index add on it as a user who may write " + path + " and its folder");
}

void check_path(const std::string& path, bool may_be_missing) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT && may_be_missing) return;
    if (errno == ENOENT)
      throw Error(errc::input, "no archive at " + path + " (recur index add " + path + " FILES... creates one)");
    throw Error(errc::io, "cannot open " + path + ": " + std::strerror(errno));
  }
  if (S_ISDIR(st.st_mode)) throw Error(errc::input, path + " is a folder, not an archive");
}
}  // namespace

std::unique_ptr<Archive> Archive::open_read(const std::string& path) {
  check_path(path, false);
  std::unique_ptr<Archive> a(new Archive);
  a->path_ = path;
  a->read_only_ = true;
  auto open = [&] {
    a->db_ = open_db(path, SQLITE_OPEN_READONLY);
    sqlite3_busy_timeout(a->db_, 10000);
  };
  open();
  if (sqlite3_exec(a->db_, kFirstRead, nullptr, nullptr, nullptr) == SQLITE_READONLY_ROLLBACK) {
    // A writer died inside a rollback-journal transaction (the first add, before it switches the
    // new archive to write-ahead logging, is one) and left a hot journal. Nothing can be read
    // until the journal is played back, and a read-only connection may not do that; reading the
    // file as immutable would read the torn pages. Play it back as any SQLite writer would on
    // opening, which restores the last committed state, then read.
    sqlite3_close_v2(a->db_);
    a->db_ = nullptr;
    roll_back_hot_journal(path);
    open();
  }
  try {
    a->load_meta();
  } catch (const Error&) {
    // A write-ahead-log archive in a folder this process cannot write (no -shm file can be made):
    // read it as immutable, which needs no shared memory.
    const int code = sqlite3_extended_errcode(a->db_) & 0xff;
    if (code != SQLITE_CANTOPEN && code != SQLITE_READONLY) throw;
    sqlite3_close_v2(a->db_);
    a->db_ = open_db("file:" + path + "?immutable=1", SQLITE_OPEN_READONLY | SQLITE_OPEN_URI);
    a->load_meta();
  }
  return a;
}

std::unique_ptr<Archive> Archive::open_write(const std::string& path, bool create, const ArchiveOptions& options) {
  check_path(path, create);
  std::unique_ptr<Archive> a(new Archive);
  a->path_ = path;
  a->read_only_ = false;
  a->db_ = open_db(path, SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0));
  if (sqlite3_db_readonly(a->db_, "main") == 1)
    throw Error(errc::io, "cannot write " + path + ": permission denied");
  sqlite3_busy_timeout(a->db_, kBusyMilliseconds);
  a->load_meta();
  if (!a->initialised_) {
    if (!create) throw Error(errc::input, path + " is empty: not a recur archive");
    a->fingerprint_ = archive_fingerprint(options);
    exec(a->db_, path, "PRAGMA page_size = 4096");
  }
  exec(a->db_, path, "PRAGMA journal_mode = WAL");
  exec(a->db_, path, "PRAGMA synchronous = NORMAL");
  exec(a->db_, path, "PRAGMA cache_size = -65536");
  return a;
}

void Archive::initialise(const ArchiveOptions& options) {
  fingerprint_ = archive_fingerprint(options);
  Transaction t(db_, path_);
  exec(db_, path_, ("PRAGMA application_id = " + std::to_string(kApplicationId)).c_str());
  exec(db_, path_, kSchema);
  Stmt meta(db_, path_, "INSERT INTO meta(key, value) VALUES(?, ?)");
  meta.bind(1, std::string_view("format")).bind(2, std::to_string(kArchiveFormat)).run();
  meta.bind(1, std::string_view("fingerprint")).bind(2, to_text(fingerprint_)).run();
  meta.bind(1, std::string_view("created")).bind(2, utc_now()).run();
  meta.bind(1, std::string_view("recur_version")).bind(2, std::string_view(version())).run();
  t.commit();
  initialised_ = true;
}

// --- adding -----------------------------------------------------------------------------------

AddSummary Archive::add(const Source& files, const ArchiveOptions& o, const AddSettings& settings) {
  if (read_only_) throw Error(errc::internal, path_ + " was opened read-only");
  if (auto m = o.validate(); !m.empty()) throw Error(errc::usage, m);
  const Fingerprint fp = archive_fingerprint(o);
  if (initialised_) {
    if (auto m = compatibility(fingerprint_, fp, path_); !m.empty()) throw Error(errc::usage, m);
  } else {
    initialise(o);
  }
  StageClock clock;
  AddSummary summary;

  struct Existing {
    std::int64_t id;
    std::uint64_t size;
    std::string hash;
  };
  std::unordered_map<std::string, Existing> existing;
  {
    Stmt s(db_, path_, "SELECT id, path, size, hash FROM files");
    while (s.step()) existing[s.text(1)] = {s.i64(0), static_cast<std::uint64_t>(s.i64(2)), s.text(3)};
  }

  ProgressCounters counters;
  std::uint64_t total = 0;
  for (std::size_t i = 0; i < files.count(); ++i) total += files.size(i);
  counters.begin("adding", total);
  Ticker ticker(settings.progress, counters);

  // Workers read, hash, scan and seed files ahead of the writer, at most `window` files ahead;
  // the writer takes them in input order, so ids and output never depend on timing.
  const ScanSettings scan(o.input);
  const std::size_t n = files.count();
  const unsigned threads = std::max(1u, std::min<unsigned>(effective_threads(settings.threads), static_cast<unsigned>(std::max<std::size_t>(n, 1))));
  const std::size_t window = 2 * threads + 2;
  std::vector<std::unique_ptr<PreparedFile>> slots(n);
  std::mutex mutex;
  std::condition_variable ready, space;
  std::size_t next = 0, consumed = 0;
  bool quit = false;
  std::exception_ptr error;

  auto prepare = [&](std::size_t i, Normalizer& normalizer) {
    auto p = std::make_unique<PreparedFile>();
    if (files.size(i) > kMaxFileBytes) {
      p->status = Status(StatusCode::too_large, "too large for the archive (over 999,000,000 bytes)");
      return p;
    }
    p->status = files.read(i, p->bytes);
    if (!p->status.ok()) return p;
    if (p->bytes.size() > kMaxFileBytes) {
      p->status = Status(StatusCode::too_large, "too large for the archive (over 999,000,000 bytes)");
      p->bytes.clear();
      return p;
    }
    p->hash = content_hash(p->bytes);
    if (auto it = existing.find(files.name(i));
        it != existing.end() && it->second.hash == p->hash && it->second.size == p->bytes.size()) {
      p->unchanged = true;
      p->bytes.clear();
      return p;
    }
    const OneSource one(files.name(i), p->bytes);
    const ScannedFile f = scan_file(one, 0, scan);
    if (!f.ok()) {
      p->status = f.outcome.status;
      return p;
    }
    p->note = f.outcome.note;
    p->docs = document_seeds(f, normalizer, o.seed, o.sample);
    return p;
  };
  auto worker = [&] {
    try {
      Normalizer normalizer(o.input.normalize);
      for (;;) {
        std::size_t i;
        {
          std::unique_lock lock(mutex);
          space.wait(lock, [&] { return quit || next >= n || next < consumed + window; });
          if (quit || next >= n) return;
          i = next++;
        }
        auto p = prepare(i, normalizer);
        {
          std::lock_guard lock(mutex);
          slots[i] = std::move(p);
        }
        ready.notify_all();
      }
    } catch (...) {
      {
        std::lock_guard lock(mutex);
        if (!error) error = std::current_exception();
        quit = true;
      }
      ready.notify_all();
      space.notify_all();
    }
  };
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < threads; ++t) pool.emplace_back(worker);
  auto stop_workers = [&] {
    {
      std::lock_guard lock(mutex);
      quit = true;
    }
    space.notify_all();
    for (auto& t : pool)
      if (t.joinable()) t.join();
  };

  SettingsByEncoding stored_settings(o.input);
  Normalizer normalizer(o.input.normalize);
  std::unique_ptr<Transaction> batch;
  std::vector<Posting> postings;
  Removals removals;
  std::uint64_t batch_bytes = 0;
  const std::string added_at = utc_now();
  const std::string& encoding = o.input.decode.encoding;

  auto commit_batch = [&] {
    if (!batch) return;
    removals.apply(db_, path_);
    std::sort(postings.begin(), postings.end());
    write_part(db_, path_, postings);
    summary.postings += postings.size();
    batch->commit();
    batch.reset();
    postings.clear();
    batch_bytes = 0;
    compact(db_, path_, settings.stop);
  };

  try {
    Stmt insert_file(db_, path_, "INSERT INTO files(path, size, hash, encoding, added) VALUES(?, ?, ?, ?, ?)");
    Stmt insert_text(db_, path_, "INSERT INTO texts(file, bytes) VALUES(?, ?)");
    Stmt insert_doc(db_, path_, "INSERT INTO docs(file, idx, title, chars, seeds) VALUES(?, ?, ?, ?, ?)");
    Stmt find_file(db_, path_, "SELECT id, hash FROM files WHERE path = ?");
    for (std::size_t i = 0; i < n; ++i) {
      std::unique_ptr<PreparedFile> p;
      {
        std::unique_lock lock(mutex);
        ready.wait(lock, [&] { return slots[i] != nullptr || error != nullptr; });
        if (error) std::rethrow_exception(error);
        p = std::move(slots[i]);
        consumed = i + 1;
      }
      space.notify_all();
      const std::string& name = files.name(i);
      ++summary.files;
      counters.done += files.size(i);
      if (!p->status.ok()) {
        summary.skipped.emplace_back(name, p->status);
        if (settings.warn) settings.warn("skipped " + name + ": " + p->status.message());
      } else if (p->unchanged) {
        ++summary.unchanged;
      } else {
        if (!batch) batch = std::make_unique<Transaction>(db_, path_);
        // Decided again inside the transaction: another add may have written since `existing`
        // was read (which the workers read, so it is left as it is).
        find_file.bind(1, name);
        const bool archived = find_file.step();
        const std::int64_t old_id = archived ? find_file.i64(0) : 0;
        const bool same = archived && find_file.text(1) == p->hash;
        find_file.reset();
        if (same) {
          ++summary.unchanged;
          continue;
        }
        if (archived) {
          removals.take(db_, path_, old_id, stored_settings, normalizer, fingerprint_.align_seed,
                        fingerprint_.seed_sample);
          ++summary.replaced;
        } else {
          ++summary.added;
        }
        insert_file.bind(1, name)
            .bind(2, static_cast<std::int64_t>(p->bytes.size()))
            .bind(3, p->hash)
            .bind(4, encoding)
            .bind(5, added_at)
            .run();
        const std::int64_t file = sqlite3_last_insert_rowid(db_);
        insert_text.bind(1, file).bind_blob(2, p->bytes.data(), p->bytes.size()).run();
        for (const DocumentSeeds& d : p->docs) {
          insert_doc.bind(1, file)
              .bind(2, d.index)
              .bind(3, d.title)
              .bind(4, static_cast<std::int64_t>(d.content_chars))
              .bind(5, static_cast<std::int64_t>(d.seeds.size()))
              .run();
          const auto doc = static_cast<std::uint64_t>(sqlite3_last_insert_rowid(db_));
          if (doc > UINT32_MAX) throw Error(errc::internal, path_ + ": more than 2^32 documents were ever added");
          for (std::uint64_t h : d.seeds) postings.push_back({h, doc});
        }
        summary.documents += p->docs.size();
        summary.bytes += p->bytes.size();
        batch_bytes += p->bytes.size();
        if (!p->note.empty()) {
          summary.warnings.push_back(name + ": " + p->note);
          if (settings.warn) settings.warn(summary.warnings.back());
        }
        if (batch_bytes >= settings.batch_bytes) commit_batch();
      }
      if (settings.stop) {
        if (const int sig = settings.stop()) {
          summary.interrupted = sig;
          break;
        }
      }
    }
    stop_workers();
    clock.mark("add");
    commit_batch();
    clock.mark("commit");
  } catch (...) {
    stop_workers();
    batch.reset();  // rolls back the files of the batch not yet committed
    throw;
  }
  summary.seconds = clock.finish();
  return summary;
}

// --- removing, listing, checking --------------------------------------------------------------

RemoveSummary Archive::remove(const std::vector<std::string>& paths) {
  if (read_only_) throw Error(errc::internal, path_ + " was opened read-only");
  RemoveSummary summary;
  if (!initialised_) {
    summary.not_found = paths;
    return summary;
  }
  ArchiveOptions o;
  apply_fingerprint(fingerprint_, o);
  SettingsByEncoding settings(o.input);
  Normalizer normalizer(o.input.normalize);
  Transaction t(db_, path_);
  std::vector<std::pair<std::int64_t, std::string>> chosen;
  {
    Stmt all(db_, path_, "SELECT id, path FROM files ORDER BY path");
    std::vector<std::pair<std::int64_t, std::string>> files;
    while (all.step()) files.emplace_back(all.i64(0), all.text(1));
    std::set<std::int64_t> seen;
    for (std::string arg : paths) {
      while (arg.size() > 1 && arg.back() == '/') arg.pop_back();
      bool any = false;
      for (const auto& [id, p] : files)
        if (p == arg || (p.size() > arg.size() && p.compare(0, arg.size(), arg) == 0 &&
                         (arg.back() == '/' || p[arg.size()] == '/'))) {
          any = true;
          if (seen.insert(id).second) chosen.emplace_back(id, p);
        }
      if (!any) summary.not_found.push_back(arg);
    }
  }
  Removals removals;
  for (const auto& [id, p] : chosen) {
    removals.take(db_, path_, id, settings, normalizer, fingerprint_.align_seed, fingerprint_.seed_sample);
    summary.removed.push_back(p);
  }
  summary.files = removals.files;
  summary.documents = removals.documents;
  summary.postings = removals.apply(db_, path_);
  t.commit();
  return summary;
}

std::vector<ArchiveDocumentInfo> Archive::list() const {
  std::vector<ArchiveDocumentInfo> out;
  if (!initialised_) return out;
  const Snapshot snapshot(db_, path_);
  Stmt s(db_, path_,
         "SELECT coalesce(d.id, 0), f.path, coalesce(d.idx, 0), coalesce(d.title, ''), f.size, coalesce(d.chars, 0), "
         "coalesce(d.seeds, 0), f.added FROM files f LEFT JOIN docs d ON d.file = f.id ORDER BY f.path, d.idx");
  while (s.step()) {
    ArchiveDocumentInfo d;
    d.id = static_cast<std::uint64_t>(s.i64(0));
    d.path = s.text(1);
    d.index = static_cast<std::uint32_t>(s.i64(2));
    d.title = s.text(3);
    d.file_size = static_cast<std::uint64_t>(s.i64(4));
    d.content_chars = static_cast<std::uint64_t>(s.i64(5));
    d.seeds = static_cast<std::uint64_t>(s.i64(6));
    d.added = s.text(7);
    out.push_back(std::move(d));
  }
  return out;
}

ArchiveInfo Archive::info() const {
  const Snapshot snapshot(db_, path_);
  ArchiveInfo i;
  i.path = path_;
  i.fingerprint = fingerprint_;
  i.bytes_on_disk = file_size_or_zero(path_) + file_size_or_zero(path_ + "-wal");
  i.page_size = static_cast<std::uint64_t>(scalar(db_, path_, "PRAGMA page_size"));
  i.pages = static_cast<std::uint64_t>(scalar(db_, path_, "PRAGMA page_count"));
  i.free_pages = static_cast<std::uint64_t>(scalar(db_, path_, "PRAGMA freelist_count"));
  if (!initialised_) return i;
  i.created = meta_value(db_, path_, "created");
  i.created_by = meta_value(db_, path_, "recur_version");
  i.files = static_cast<std::uint64_t>(scalar(db_, path_, "SELECT count(*) FROM files"));
  i.text_bytes = static_cast<std::uint64_t>(scalar(db_, path_, "SELECT coalesce(sum(size), 0) FROM files"));
  i.documents = static_cast<std::uint64_t>(scalar(db_, path_, "SELECT count(*) FROM docs"));
  i.content_chars = static_cast<std::uint64_t>(scalar(db_, path_, "SELECT coalesce(sum(chars), 0) FROM docs"));
  i.postings = static_cast<std::uint64_t>(scalar(db_, path_, "SELECT coalesce(sum(postings), 0) FROM parts"));
  i.parts = static_cast<std::uint64_t>(scalar(db_, path_, "SELECT count(*) FROM parts"));
  // From the parts: count(*) on blocks would read every block's page.
  i.blocks = static_cast<std::uint64_t>(scalar(db_, path_, "SELECT coalesce(sum(blocks), 0) FROM parts"));
  return i;
}

ArchiveCheck Archive::check() const {
  const Snapshot snapshot(db_, path_);
  ArchiveCheck c;
  {
    Stmt s(db_, path_, "PRAGMA integrity_check");
    while (s.step()) c.integrity += (c.integrity.empty() ? "" : "; ") + s.text(0);
  }
  if (!initialised_) return c;
  // Every posting, by document.
  std::unordered_map<std::uint64_t, std::vector<std::uint64_t>> indexed;
  {
    const std::vector<Part> parts = load_parts(db_, path_);
    BlockReader reader(db_, path_);
    for (const Part& part : parts) {
      std::uint64_t n = 0;
      for (std::uint64_t j = 0; j < part.blocks; ++j) {
        const Block& b = reader.get(part.first_block + static_cast<std::int64_t>(j));
        for (std::size_t k = 0; k < b.size(); ++k) {
          if (k > 0 && !(b.hash[k - 1] < b.hash[k] || (b.hash[k - 1] == b.hash[k] && b.doc[k - 1] < b.doc[k])))
            c.problems.push_back("part " + std::to_string(part.id) + ": block " + std::to_string(j) + " is not sorted");
          if (b.hash[k] > part.dir[j])
            c.problems.push_back("part " + std::to_string(part.id) + ": block " + std::to_string(j) +
                                 " exceeds its directory entry");
          indexed[b.doc[k]].push_back(b.hash[k]);
        }
        n += b.size();
      }
      if (n != part.postings)
        c.problems.push_back("part " + std::to_string(part.id) + " counts " + std::to_string(part.postings) +
                             " postings but holds " + std::to_string(n));
    }
  }
  ArchiveOptions o;
  apply_fingerprint(fingerprint_, o);
  SettingsByEncoding settings(o.input);
  Normalizer normalizer(o.input.normalize);
  std::vector<std::int64_t> ids;
  {
    Stmt s(db_, path_, "SELECT id FROM files ORDER BY path");
    while (s.step()) ids.push_back(s.i64(0));
  }
  std::unordered_set<std::uint64_t> known;
  for (std::int64_t id : ids) {
    const StoredFile f = stored_file(db_, path_, id, settings, normalizer, fingerprint_.align_seed, fingerprint_.seed_sample);
    if (!f.scanned) c.problems.push_back(f.path + ": its stored text cannot be read back");
    for (const StoredDoc& d : f.docs) {
      ++c.documents;
      known.insert(d.id);
      const std::string name = f.path + "#" + std::to_string(d.index);
      std::vector<std::uint64_t> have = indexed[d.id];
      std::sort(have.begin(), have.end());
      if (have.size() != d.seeds)
        c.problems.push_back(name + ": " + std::to_string(have.size()) + " postings indexed, " +
                             std::to_string(d.seeds) + " recorded");
      const auto it = std::find_if(f.recomputed.begin(), f.recomputed.end(),
                                   [&](const DocumentSeeds& r) { return r.index == d.index; });
      if (f.scanned && (it == f.recomputed.end() || it->seeds != have))
        c.problems.push_back(name + ": the postings indexed differ from the seeds of its stored text");
    }
  }
  for (const auto& [doc, hashes] : indexed)
    if (!known.count(doc))
      c.problems.push_back(std::to_string(hashes.size()) + " postings of document " + std::to_string(doc) +
                           ", which is not archived");
  return c;
}

std::unique_ptr<ArchiveView> Archive::view() const {
  if (!initialised_) throw Error(errc::input, path_ + " is empty: not a recur archive");
  return std::make_unique<SqliteView>(db_, path_, fingerprint_);
}

}  // namespace recur
