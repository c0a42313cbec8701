#!/usr/bin/env bash
# The passage-alignment benchmark: generates a PAN-style corpus with `recur synth --passages`
# (planted passages edited 0-15%, swapped sentences, any order, one sentence to several paragraphs;
# cached), runs `recur compare` in the PAN batch form, and scores it with `recur eval --pan`
# (PAN measures by edit rate and by passage length), then times `recur compare` of two 100 KB
# reports (Google Benchmark, in process).
#
# Usage: bench/pan.sh [PAIRS]        (default 500)
# Environment: RECUR_BENCH_DIR (cache, default /tmp/recur-bench), RECUR (binary, default build/recur).
set -euo pipefail
cd "$(dirname "$0")/.."
RECUR=${RECUR:-build/recur}
DIR=${RECUR_BENCH_DIR:-/tmp/recur-bench}
PAIRS=${1:-500}
[ -x "$RECUR" ] || { echo "bench/pan.sh: $RECUR not built (run .ci/build)" >&2; exit 1; }
data="$DIR/pan-$PAIRS"
if [ ! -f "$data/pairs" ]; then
  from=(); [ -d ../shared/corpus ] && from=(--from ../shared/corpus)
  "$RECUR" synth --passages --pairs "$PAIRS" --seed 11 -o "$data" --force "${from[@]}" -q >&2
fi
out="$DIR/pan-$PAIRS-detections"
t0=$(date +%s%N)
"$RECUR" compare --pairs "$data/pairs" --susp "$data/susp" --src "$data/src" --format pan -o "$out" --force -q
t1=$(date +%s%N)
echo "## recur compare, PAN batch of $PAIRS pairs ($(du -sh "$data/src" | cut -f1) + $(du -sh "$data/susp" | cut -f1) of text)"
echo
echo "wall time $(awk "BEGIN {print ($t1 - $t0) / 1e9}") s ($(nproc) threads)"
echo
echo '```'
"$RECUR" eval --pan "$data/truth" "$out"
echo '```'
if [ -x build/bench/recur_bench ]; then
  echo
  echo '```'
  build/bench/recur_bench --benchmark_filter='compare' 2>/dev/null | grep -E '^(Benchmark|BM_)'
  echo '```'
fi
