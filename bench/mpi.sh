#!/usr/bin/env bash
# recur report across MPI ranks on this machine (issue 14): one process, then mpirun -np 1 and 2,
# one thread per rank, interleaved and repeated (median of RUNS), on corpora made by `recur synth`.
# Prints a Markdown table: wall time, speed-up over np=1, per-stage wall times (rank 0's report),
# and per rank its index time, bytes sent/received and peak RSS (the figures each rank prints).
#
# Usage: bench/mpi.sh CORPUS_DIR...   e.g. bench/mpi.sh /work/bench-cache/100MiB/docs
# Environment: RECUR (default build/recur), RUNS (default 3), LABELS (default "single np1 np2";
# "np1 np2" leaves out the one-process run). Run under `flock -x /work/cpu.lock` on the shared
# machine. Before every run the corpus is read once (warm), so that each run reads its inputs from
# the page cache: on this VM a reclaimer (DAMON) pages out files left cold for about a minute, and
# a rank whose shard had been paged out took 4.2 s to index against 2.8 s for the other rank.
set -euo pipefail
cd "$(dirname "$0")/.."
RECUR=${RECUR:-build/recur}
RUNS=${RUNS:-3}
LABELS=${LABELS:-single np1 np2}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_btl=self,vader
export OMPI_MCA_btl_vader_single_copy_mechanism=none OMPI_MCA_rmaps_base_oversubscribe=1
# The point-to-point layer of shared memory (ob1 over the btls above), named: otherwise MPI_Init
# first tries UCX, installed with Debian's OpenMPI, which took 0.2 s of every run here to refuse.
export OMPI_MCA_pml=${OMPI_MCA_pml:-ob1}
tmp=$(mktemp -d /tmp/recur-mpi-bench.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

run() {  # label corpus run -> $tmp/label.run.{json,err,wall}
  local label=$1 corpus=$2 k=$3 launch=()
  case $label in np*) launch=(mpirun -np "${label#np}" --bind-to core) ;; esac
  local t0 t1
  find "$corpus" -type f -exec cat {} + >/dev/null  # warm: see the comment at the top
  t0=$(date +%s%N)
  "${launch[@]}" "$RECUR" report "$corpus" --threads 1 --format json -o "$tmp/$label.$k.json" 2>"$tmp/$label.$k.err"
  t1=$(date +%s%N)
  echo $(( (t1 - t0) / 1000000 )) >"$tmp/$label.$k.wall"
}

echo "| corpus | run | wall s (median of $RUNS) | vs np=1 | stages (rank 0's report, wall s) | per rank: index s, sent / received MiB, exchange rounds, peak RSS MiB, report stage s (materialise/plan/members/count/write) | every run's wall s, in order |"
echo "| --- | --- | --- | --- | --- | --- | --- |"
for corpus in "$@"; do
  name=$(basename "$(dirname "$corpus")")/$(basename "$corpus")
  for k in $(seq 1 "$RUNS"); do
    for label in $LABELS; do run "$label" "$corpus" "$k"; done
  done
  python3 - "$tmp" "$name" "$RUNS" $LABELS <<'PY'
import json, re, statistics, sys
tmp, name, runs, labels = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4:]
med = {}
rows = []
for label in labels:
    walls = [(int(open(f"{tmp}/{label}.{k}.wall").read()), k) for k in range(1, runs + 1)]
    every = ", ".join(f"{w / 1000:.2f}" for w, _ in walls)  # in run order: pairs can be compared
    walls.sort()
    wall, k = walls[(len(walls) - 1) // 2]
    med[label] = wall / 1000
    sec = json.load(open(f"{tmp}/{label}.{k}.json"))["stats"]["seconds"]
    stages = " ".join(f"{s}={sec[s]:.2f}" for s in ("index", "lsh", "verify", "cluster", "report"))
    ranks = []
    for line in open(f"{tmp}/{label}.{k}.err"):
        m = re.match(r"recur: rank (\d+): .*? index ([\d.]+) s,.*sent ([\d.]+) MiB, received ([\d.]+) MiB in (\d+) rounds; peak (\d+) MiB", line)
        if m:
            # The report stage's parts on this rank (wall s), when it prints them.
            parts = "/".join(x[1] for x in re.findall(r"\b(materialise|plan|members|count|write) ([\d.]+) s", line))
            ranks.append(f"r{m[1]}: {m[2]} s, {m[3]} / {m[4]}, {m[5]}, {m[6]}" + (f", {parts}" if parts else ""))
    rows.append((label, wall / 1000, stages, "; ".join(ranks) or "-", every))
for label, wall, stages, ranks, every in rows:
    if "np1" not in med:
        ratio = "-"
    else:
        ratio = f"{med['np1'] / wall:.2f}x" if label != "single" else f"{med['np1'] / wall:.2f}x (np=1/single)"
    print(f"| {name} | {label} | {wall:.2f} | {ratio} | {stages} | {ranks} | {every} |")
PY
done
