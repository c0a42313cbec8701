#!/usr/bin/env bash
# The archive benchmark: `recur index add` of generated corpora (MB/s, archive size against the
# text) and `recur query` of a 50 KB report against each archive (warm cache), to see how query
# time grows with the archive. Corpora are those of bench/run.sh (`recur synth --seed 7`, cached).
#
# The query report is 50 KB: about one paragraph in five copied from a random archived document,
# the rest from a corpus that is not archived (`recur synth --seed 99`). The table gives how many
# of the copied paragraphs the query found.
#
# Usage: bench/archive.sh [SIZES...]      e.g. bench/archive.sh 10MiB 100MiB 1GiB
# Environment: RECUR_BENCH_DIR (cache, default /tmp/recur-bench), RECUR (binary, default build/recur),
#              THREADS (index add --threads, default 2), RUNS (query runs, default 5).
set -euo pipefail
cd "$(dirname "$0")/.."
RECUR=${RECUR:-build/recur}
DIR=${RECUR_BENCH_DIR:-/tmp/recur-bench}
THREADS=${THREADS:-2}
RUNS=${RUNS:-5}
SIZES=("$@")
[ ${#SIZES[@]} -gt 0 ] || SIZES=(10MiB 100MiB 1GiB)
[ -x "$RECUR" ] || { echo "bench/archive.sh: $RECUR not built (run .ci/build)" >&2; exit 1; }
mkdir -p "$DIR"
from=(); [ -d ../shared/corpus ] && from=(--from ../shared/corpus)
if [ ! -d "$DIR/query-source/docs" ]; then
  "$RECUR" synth --size 2MiB --seed 99 -o "$DIR/query-source" "${from[@]}" -q >&2
fi
now() { date +%s%N; }

echo "| corpus | MB | index add s | MB/s | archive MB | archive / text | parts | query s (median of $RUNS, warm) | copied paragraphs found |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"
for size in "${SIZES[@]}"; do
  if [ ! -d "$DIR/$size/docs" ]; then
    echo "generating $size corpus in $DIR/$size ..." >&2
    "$RECUR" synth --size "$size" --seed 7 -o "$DIR/$size" "${from[@]}" -q >&2
  fi
  db="$DIR/$size.archive.db"
  rm -f "$db" "$db-wal" "$db-shm"
  echo "recur index add on $size ..." >&2
  t0=$(now)
  "$RECUR" index add "$db" "$DIR/$size/docs" --threads "$THREADS" -q >/dev/null
  t1=$(now)
  query="$DIR/$size.query.txt"
  planted=$(python3 - "$DIR/$size/docs" "$DIR/query-source/docs" "$query" <<'PY'
import os, random, sys
docs_dir, fresh_dir, out_path = sys.argv[1:4]
rng = random.Random(5)
docs = sorted(os.listdir(docs_dir))
fresh = []
for name in sorted(os.listdir(fresh_dir)):
    fresh += [l for l in open(os.path.join(fresh_dir, name), encoding='utf-8').read().split('\n') if l]
out, size, planted, k = [], 0, [], 0
while size < 50000:
    if rng.random() < 0.2:
        lines = [l for l in open(os.path.join(docs_dir, rng.choice(docs)), encoding='utf-8').read().split('\n') if len(l) > 40]
        line = rng.choice(lines)
        planted.append(len(out) + 1)
    else:
        line = fresh[k]
        k += 1
    out.append(line)
    size += len(line.encode())
open(out_path, 'w', encoding='utf-8').write('\n'.join(out) + '\n')
print(' '.join(map(str, planted)))
PY
)
  "$RECUR" query "$db" "$query" --format json -o "$DIR/$size.query.json" -q  # warms the cache
  walls=()
  for _ in $(seq "$RUNS"); do
    q0=$(now)
    "$RECUR" query "$db" "$query" --format json -o "$DIR/$size.query.json" -q
    q1=$(now)
    walls+=("$((q1 - q0))")
  done
  median=$(printf '%s\n' "${walls[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)] / 1e9}')
  python3 - "$size" "$DIR/$size/docs" "$db" "$((t1 - t0))" "$median" "$DIR/$size.query.json" "$planted" "$RECUR" <<'PY'
import json, os, subprocess, sys
size, docs, db, add_ns, median, qjson, planted, recur = sys.argv[1:9]
text = sum(os.path.getsize(os.path.join(docs, f)) for f in os.listdir(docs))
info = json.loads(subprocess.run([recur, 'index', 'info', db, '--format', 'json'], check=True, capture_output=True).stdout)
q = json.load(open(qjson))['queries'][0]
planted = [int(x) for x in planted.split()]
covered = set()
for s in q['sources']:
    for p in s['passages']:
        if not p['template']:
            covered.update(range(p['a']['line'], p['a']['line_end'] + 1))
found = sum(1 for line in planted if line in covered)
planted = len(planted)
add = int(add_ns) / 1e9
print(f"| {size} | {text / 1e6:.1f} | {add:.1f} | {text / 1e6 / add:.1f} | {info['bytes_on_disk'] / 1e6:.1f} | "
      f"{info['bytes_on_disk'] / text:.2f} | {info['parts']} | {float(median):.3f} | {found} of {planted} |")
PY
done
echo
echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/ {print $2}') GiB; $("$RECUR" --version)"
