#!/usr/bin/env bash
# Builds the fuzz targets (clang, libFuzzer, ASan + UBSan) in ./build-fuzz and runs each one for
# SECONDS (default 60), starting from a temporary copy of its seed corpus in tests/fuzz/corpus/
# (the seeds in the repository are never written to). Prints the executions per target and, for
# every finding (crash, CHECK failure, sanitizer report, leak, timeout, out of memory), the
# reproducer and the command that replays it. Exits non-zero when any target found something.
#
# Usage: tests/fuzz/run.sh [SECONDS] [TARGET...]     targets: decode normalize segment signature phrases align
# RECUR_FUZZ_ARGS: more libFuzzer flags, after (so overriding) the ones below, e.g. -seed=1.
set -euo pipefail
cd "$(dirname "$0")/../.."

seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(decode normalize segment signature phrases align)

# Longest input per target: a few KB covers every branch (files are cut into lines and pieces
# anyway) and keeps each execution fast.
declare -A max_len=([decode]=8192 [normalize]=4096 [segment]=8192 [signature]=4096 [phrases]=4096 [align]=4096)

CC=${CC:-clang} CXX=${CXX:-clang++} \
  cmake -S . -B build-fuzz -DRECUR_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build-fuzz -j"$(nproc)" --target "${targets[@]/#/fuzz_}"

work=$(mktemp -d "${TMPDIR:-/tmp}/recur-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT
findings_dir=$PWD/build-fuzz/findings   # reproducers are kept here (outside the repository)

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

failed=()
summary=()
for t in "${targets[@]}"; do
  bin=build-fuzz/tests/fuzz/fuzz_$t
  [ -n "${max_len[$t]:-}" ] || { echo "unknown target '$t'" >&2; exit 2; }
  mkdir -p "$work/$t" "$findings_dir/$t"
  cp -r tests/fuzz/corpus/"$t"/. "$work/$t"/
  dict=()
  [ -f tests/fuzz/"$t".dict ] && dict=(-dict=tests/fuzz/"$t".dict)
  echo "== fuzz_$t: ${seconds}s, max_len ${max_len[$t]}"
  set +e
  # -timeout: every input takes well under a second here; 30 s catches a hang without flagging an
  # input that a loaded machine (ASan recycling its quarantine) slowed to 12 s, as happened once.
  "$bin" "$work/$t" "${dict[@]}" -max_total_time="$seconds" -max_len="${max_len[$t]}" -timeout=30 \
    -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$findings_dir/$t/" ${RECUR_FUZZ_ARGS:-} \
    >"$work/$t.log" 2>&1
  rc=$?
  set -e
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$work/$t.log" | grep -o '[0-9]*$' || true)
  summary+=("$(printf '%-10s %12s executions  %s' "$t" "${execs:-?}" "$([ $rc -eq 0 ] && echo ok || echo FOUND)")")
  if [ $rc -ne 0 ]; then
    failed+=("$t")
    # What failed: the CHECK message or the sanitizer / libFuzzer report, then the reproducer.
    grep -E -A4 'CHECK failed|ERROR: (Address|Undefined|Leak)Sanitizer|runtime error|ERROR: libFuzzer|SUMMARY' \
      "$work/$t.log" | head -40 >&2 || true
    cp "$work/$t.log" "$findings_dir/$t/last.log"
    repro=$(grep -o 'Test unit written to [^ ]*' "$work/$t.log" | awk '{print $5}' | tail -1 || true)
    echo "fuzz_$t FOUND something (exit $rc); full log: $findings_dir/$t/last.log" >&2
    [ -n "$repro" ] && echo "  reproducer: $repro"$'\n'"  replay:     $bin $repro" >&2
  fi
done

echo "== fuzzing summary (${seconds}s per target)"
printf '%s\n' "${summary[@]}"
if [ ${#failed[@]} -gt 0 ]; then
  echo "findings in: ${failed[*]} (reproducers in $findings_dir)" >&2
  exit 1
fi
