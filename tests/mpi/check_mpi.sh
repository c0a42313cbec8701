#!/usr/bin/env bash
# recur report under mpirun is byte-identical to one process (issue 14): np = 1, 2, 3, 4 (3 catches
# non-power-of-two bugs) on ../shared/corpus (plain and --doc-split) and on generated corpora, the
# JSON compared after leaving out only the stage times and options.threads / options.ranks, the CSV
# compared byte for byte; also the text format (every cluster), --no-text and the HTML page, whose
# clusters the ranks format in blocks; an LSH that misses most pairs, so that the clustering's
# second pass verifies pairs that were never candidates. Also: exchanges forced into many small
# rounds, more ranks than inputs, unreadable inputs on other ranks skipped and counted as one
# process does, and a rank killed mid-run (also while rank 0 writes) failing the run without
# leaving any output.
#
# Usage: tests/mpi/check_mpi.sh [BUILD_DIR]   (default build; needs mpirun and an MPI build)
# Runs as root, oversubscribed, over shared memory, as CI does. Takes about a minute.
set -euo pipefail
cd "$(dirname "$0")/../.."
recur="$(pwd)/${1:-build}/recur"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1 OMPI_MCA_btl=self,vader
export OMPI_MCA_btl_vader_single_copy_mechanism=none
export OMPI_MCA_mpi_yield_when_idle=1  # oversubscribed ranks waiting in an exchange give the core back
work="$(mktemp -d /tmp/recur-mpi.XXXXXX)"
trap 'rm -rf "$work"' EXIT
failures=0
checks=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

# The JSON without what may differ: stage times, threads, ranks.
normalise() {
  python3 - "$1" <<'PY'
import json, sys
with open(sys.argv[1], encoding="utf-8") as f:
    r = json.load(f)
r["stats"].pop("seconds", None)
r["options"].pop("threads", None)
r["options"].pop("ranks", None)
print(json.dumps(r, ensure_ascii=False, indent=1))
PY
}

# compare NAME ARGS...: one process, then np = 1..4, same arguments.
compare() {
  local name="$1"
  shift
  "$recur" report -q --threads 1 --format json -o "$work/$name.single.json" "$@"
  "$recur" report -q --threads 1 --format csv -o "$work/$name.single.csv" "$@"
  normalise "$work/$name.single.json" >"$work/$name.single.norm"
  local clusters
  clusters=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["stats"]["clusters"])' "$work/$name.single.json")
  for np in 1 2 3 4; do
    checks=$((checks + 1))
    if ! mpirun -np "$np" "$recur" report -q --threads 1 --format json -o "$work/$name.$np.json" "$@" \
        2>"$work/$name.$np.err"; then
      fail "$name np=$np: mpirun failed: $(tail -3 "$work/$name.$np.err")"
      continue
    fi
    grep -q "\"ranks\": $np" "$work/$name.$np.json" || fail "$name np=$np: options.ranks is not $np"
    normalise "$work/$name.$np.json" >"$work/$name.$np.norm"
    cmp -s "$work/$name.single.norm" "$work/$name.$np.norm" ||
      fail "$name np=$np: JSON differs from one process: $(diff "$work/$name.single.norm" "$work/$name.$np.norm" | head -5)"
    if [ "$np" = 3 ]; then  # the CSV once: the JSON holds everything it does
      mpirun -np "$np" "$recur" report -q --threads 1 --format csv -o "$work/$name.$np.csv" "$@" 2>/dev/null
      cmp -s "$work/$name.single.csv" "$work/$name.$np.csv" || fail "$name np=$np: CSV differs from one process"
    fi
  done
  echo "ok: $name ($clusters clusters): np = 1..4 identical to one process"
}

corpus=../shared/corpus
if [ -d "$corpus" ]; then
  compare shared "$corpus"
  compare shared-docsplit --doc-split '综述$' "$corpus"
  compare shared-keep --structure keep --cross-doc --sort size "$corpus"
  compare shared-noverify --no-verify --minhash classic "$corpus"
  RECUR_MPI_CHUNK_BYTES=1024 compare shared-tiny-chunks "$corpus"  # every exchange in several rounds
else
  echo "skip: $corpus not found (the generated corpora are still checked)"
fi

# Generated corpora: many files of uneven sizes, so shards cut between and within documents.
"$recur" synth -q --size 3MiB --seed 7 -o "$work/synth-a" >/dev/null
"$recur" synth -q --size 1MiB --seed 11 --doc-size 20KiB -o "$work/synth-b" >/dev/null
corpus_or_synth="$work/synth-a/docs"
[ -d "$corpus" ] && corpus_or_synth="$corpus"
compare synth-a "$work/synth-a/docs"
compare synth-b "$work/synth-b/docs"
compare synth-b-keep --structure keep --minhash classic --threshold 0.7 "$work/synth-b/docs"
# An LSH that misses most pairs (4 bands of 8 rows) on families of edited copies: the first pass
# leaves paragraphs alone next to clusters they belong in, and the second pass verifies pairs that
# were never candidates, on sets their owners build again for it.
"$recur" synth -q --size 1MiB --seed 13 --reuse 0.6 --family-size 2-8 -o "$work/synth-c" >/dev/null
compare synth-c-lossy-lsh --bands 4 --rows 8 "$work/synth-c/docs"

# The text format to standard output (rank 0's is a pseudo-terminal under mpirun: no colour codes).
"$recur" report -q --threads 1 --full examples/reports >"$work/text.single"
mpirun -np 3 "$recur" report -q --threads 1 --full examples/reports >"$work/text.3"
checks=$((checks + 1))
# The first line gives the run's seconds.
if diff <(tail -n +2 "$work/text.single") <(tail -n +2 "$work/text.3") >/dev/null; then
  echo "ok: text format to standard output, np = 3 identical to one process"
else
  fail "text format np=3 differs: $(diff <(tail -n +2 "$work/text.single") <(tail -n +2 "$work/text.3") | head -3)"
fi

# The blocks written into the output through the page cache only (as on a filesystem without
# O_DIRECT), in buffers of a page; with -o above, their whole pages go around it (O_DIRECT).
checks=$((checks + 1))
RECUR_MPI_WRITE=buffered RECUR_MPI_CHUNK_BYTES=1024 mpirun -np 3 "$recur" report -q --threads 1 --format csv \
  -o "$work/buffered.3.csv" "$work/synth-a/docs" 2>"$work/buffered.3.err" || fail "page cache only np=3: mpirun failed"
if cmp -s "$work/synth-a.single.csv" "$work/buffered.3.csv"; then
  echo "ok: blocks written through the page cache only, np = 3 identical to one process"
else
  fail "page cache only np=3 differs from one process"
fi

# JSON to standard output: no file the ranks could write into, so rank 0 receives every block (in
# many pieces with tiny rounds) and writes it; with -o (above) each rank writes its own block.
for np in 2 4; do
  checks=$((checks + 1))
  RECUR_MPI_CHUNK_BYTES=1024 mpirun -np "$np" "$recur" report -q --threads 1 --format json "$work/synth-a/docs" \
    >"$work/stdout.$np.json" 2>"$work/stdout.$np.err" || fail "JSON to standard output np=$np: mpirun failed"
  if cmp -s "$work/synth-a.single.norm" <(normalise "$work/stdout.$np.json"); then
    echo "ok: JSON to standard output (blocks through rank 0), np = $np identical to one process"
  else
    fail "JSON to standard output np=$np differs from one process"
  fi
done

# CSV to standard output, np = 3: rank 0 formats its block into its stream, the others into memory
# (sent in tiny pieces).
checks=$((checks + 1))
RECUR_MPI_CHUNK_BYTES=1024 mpirun -np 3 "$recur" report -q --threads 1 --format csv "$work/synth-a/docs" \
  >"$work/stdout.3.csv" 2>"$work/stdout.3.csv.err" || fail "CSV to standard output np=3: mpirun failed"
if cmp -s "$work/synth-a.single.csv" "$work/stdout.3.csv"; then
  echo "ok: CSV to standard output (blocks through rank 0), np = 3 identical to one process"
else
  fail "CSV to standard output np=3 differs from one process"
fi

# Every cluster in the text format (--top 0 --full), so that each rank formats some of them, with
# exchanges in tiny rounds (the blocks reach rank 0 in many pieces).
"$recur" report -q --threads 1 --top 0 --full -o "$work/text-all.single" "$corpus_or_synth"
for np in 2 4; do
  checks=$((checks + 1))
  RECUR_MPI_CHUNK_BYTES=1024 mpirun -np "$np" "$recur" report -q --threads 1 --top 0 --full -o "$work/text-all.$np" \
    "$corpus_or_synth" 2>"$work/text-all.$np.err" || fail "text --top 0 np=$np: mpirun failed"
  if diff <(tail -n +2 "$work/text-all.single") <(tail -n +2 "$work/text-all.$np") >/dev/null; then
    echo "ok: text format, every cluster, np = $np identical to one process"
  else
    fail "text --top 0 np=$np differs: $(diff <(tail -n +2 "$work/text-all.single") <(tail -n +2 "$work/text-all.$np") | head -3)"
  fi
done

# --no-text (JSON and CSV), and the HTML page (its embedded JSON compared as above, the page
# around it byte for byte).
"$recur" report -q --threads 1 --no-text --format json -o "$work/notext.single.json" "$corpus_or_synth"
"$recur" report -q --threads 1 --no-text --format csv -o "$work/notext.single.csv" "$corpus_or_synth"
normalise "$work/notext.single.json" >"$work/notext.single.norm"
for np in 2 3; do
  checks=$((checks + 1))
  mpirun -np "$np" "$recur" report -q --threads 1 --no-text --format json -o "$work/notext.$np.json" "$corpus_or_synth" \
    2>/dev/null || fail "--no-text np=$np: mpirun failed"
  mpirun -np "$np" "$recur" report -q --threads 1 --no-text --format csv -o "$work/notext.$np.csv" "$corpus_or_synth" \
    2>/dev/null || fail "--no-text csv np=$np: mpirun failed"
  if cmp -s "$work/notext.single.norm" <(normalise "$work/notext.$np.json") &&
      cmp -s "$work/notext.single.csv" "$work/notext.$np.csv"; then
    echo "ok: --no-text JSON and CSV, np = $np identical to one process"
  else
    fail "--no-text np=$np differs from one process"
  fi
done
# Several threads per rank (bands paired several at once, one per thread): the same report.
for np in 2 3; do
  checks=$((checks + 1))
  mpirun -np "$np" "$recur" report -q --threads 3 --format json -o "$work/threads.$np.json" "$work/synth-a/docs" \
    2>/dev/null || fail "--threads 3 np=$np: mpirun failed"
  if cmp -s "$work/synth-a.single.norm" <(normalise "$work/threads.$np.json"); then
    echo "ok: 3 threads per rank, np = $np identical to one process"
  else
    fail "--threads 3 np=$np differs from one process"
  fi
done

# The page with its data taken out, and the data (script elements of class recur-data, joined).
html_parts() {
  python3 - "$1" "$2" <<'PY'
import json, re, sys
page = open(sys.argv[1], encoding="utf-8").read()
pat = r'(<script type="application/json"[^>]*class="recur-data">)(.*?)(</script>)'
data = "".join(m.group(2) for m in re.finditer(pat, page, re.S))
r = json.loads(data)
r["stats"].pop("seconds", None)
r["options"].pop("threads", None)
r["options"].pop("ranks", None)
print(re.sub(pat, r"\1\3", page, flags=re.S) if sys.argv[2] == "page" else json.dumps(r, ensure_ascii=False, indent=1))
PY
}
"$recur" report -q --threads 1 --format html -o "$work/page.single.html" "$corpus_or_synth"
for np in 2 3; do
  checks=$((checks + 1))
  mpirun -np "$np" "$recur" report -q --threads 1 --format html -o "$work/page.$np.html" "$corpus_or_synth" \
    2>/dev/null || fail "html np=$np: mpirun failed"
  if cmp -s <(html_parts "$work/page.single.html" data) <(html_parts "$work/page.$np.html" data) &&
      cmp -s <(html_parts "$work/page.single.html" page) <(html_parts "$work/page.$np.html" page); then
    echo "ok: HTML page, np = $np identical to one process (apart from the stage times)"
  else
    fail "html np=$np differs from one process"
  fi
done

# Inputs that cannot be used, spread over the ranks: skipped and counted exactly as one process
# does (the skipped list and stats are part of the JSON compared). Fewer inputs than ranks too.
mkdir -p "$work/bad"
cp "$work/synth-b"/docs/*.txt "$work/bad/"
first=$(find "$work/bad" -type f | sort | head -1)
printf 'binary\0data\0here' >"$work/bad/m-binary.txt"
: >"$work/bad/n-empty.txt"
printf '\xff\xfe\xfd\x80\x81 not text in any encoding \x00' >"$work/bad/zz-last.txt"
compare bad-inputs "$work/bad" "$work/missing-path"
mkdir -p "$work/two"
head -c 20000 "$first" >"$work/two/a.txt"
head -c 20000 "$first" >"$work/two/b.txt"
compare two-inputs "$work/two"

# A rank that dies: the run fails with a message naming the lost rank, and no output (nor a
# temporary) is left, whichever rank and stage.
# (format: before the blocks are sent; write: rank 0 has its output open and waits for rank 2's
# block; written: rank 3 has written its block into rank 0's temporary file, the others may not.)
# mpirun sends the other ranks SIGTERM (rank 0 then removes its temporary), waits
# odls_base_sigkill_timeout seconds (1 by default), sends SIGKILL and returns without waiting for
# them: on a loaded machine a rank may not have run its handler within the second (the check
# failed 1 in 13 runs), or still be in unlink() when mpirun returns. Here they get 3 s (mpirun
# waits that long before SIGTERM too), and the check looks at the folder once every process of the
# run has ended.
gone() {  # no process left whose command line names the run's output (the bracket: not grep itself)
  ! grep -qs -e "$work/faul[t]\.json" /proc/[0-9]*/cmdline
}
for fault in 1:verify 2:lsh 0:cluster 3:materialise 1:format 2:write 3:written; do
  checks=$((checks + 1))
  rm -f "$work/fault.json"
  if OMPI_MCA_odls_base_sigkill_timeout=3 RECUR_MPI_FAULT=$fault mpirun -np 4 "$recur" report -q --threads 1 \
      -o "$work/fault.json" "$work/synth-a/docs" >"$work/fault.out" 2>"$work/fault.err"; then
    fail "fault $fault: the run succeeded"
  fi
  for _ in $(seq 100); do gone && break; sleep 0.1; done
  gone || fail "fault $fault: processes of the run still there 10 s after mpirun returned"
  [ ! -e "$work/fault.json" ] || fail "fault $fault: output written"
  if ls -a "$work" | grep 'recur-tmp' >/dev/null; then
    fail "fault $fault: temporary left: $(ls -a "$work" | grep recur-tmp)"
    rm -f "$work"/.*recur-tmp*
  fi
  grep -qi "rank ${fault%%:*}\b\|process rank ${fault%%:*}\|exited on signal" "$work/fault.err" ||
    fail "fault $fault: no message about the rank: $(head -5 "$work/fault.err")"
  echo "ok: rank ${fault%%:*} killed at ${fault#*:}: run failed, no output"
done

echo "check_mpi: $checks checks, $failures failures"
[ "$failures" -eq 0 ]
