#!/usr/bin/env bash
# benches/bench.sh [SIZE...]     SIZE: small | medium | large | huge-line (default: small large huge-line)
#
# Times `keyward scan --staged` against the floor, `git diff --cached --no-color -U0`, on the
# benchmark repositories that ../shared/bench/make-repo.sh builds (seed 1; kept between runs in
# $KEYWARD_BENCH_DIR, default /tmp/keyward-bench). Each pair is timed by hyperfine in one run,
# interleaved, and the table gives medians, their ratio and peak memory (GNU time). Exit
# status is not a verdict: the figures are.
#
# Needs: cargo, git, python3, hyperfine and GNU time (apt-get install hyperfine time).
# To time the peer scanners too: KEYWARD_CMD="$PWD/target/release/keyward scan --staged" \
#   ../shared/bench/run-bench.sh DIR   (after ../shared/bench/setup-anchors.sh)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
shared=${KEYWARD_SHARED:-$here/../shared}
dir=${KEYWARD_BENCH_DIR:-/tmp/keyward-bench}
runs=${RUNS:-20}
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(small large huge-line)

for tool in hyperfine /usr/bin/time python3 git; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is required (apt-get install hyperfine time)" >&2; exit 2; }
done
[ -x "$shared/bench/make-repo.sh" ] || { echo "bench: $shared/bench/make-repo.sh not found (set KEYWARD_SHARED)" >&2; exit 2; }

(cd "$here" && cargo build --release --locked --quiet)
bin="$here/target/release/keyward"
mkdir -p "$dir"

median() { python3 -c "import json,statistics,sys; print(statistics.median(json.load(open(sys.argv[1]))['results'][int(sys.argv[2])]['times']))" "$@"; }
peak_mb() { /usr/bin/time -f '%M' -o "$dir/time.out" "$@" >/dev/null 2>&1 || true; python3 -c "print(round(int(open('$dir/time.out').read().split()[-1])/1024))"; }

printf '| case | staged change | floor: git diff --cached (median) | keyward (median) | ratio | peak MB (git / keyward) | findings |\n'
printf '|---|---|---:|---:|---:|---:|---:|\n'
for size in "${sizes[@]}"; do
  repo="$dir/$size"
  [ -d "$repo/.git" ] || "$shared/bench/make-repo.sh" "$size" "$repo" >/dev/null
  desc=$(python3 -c "import json; m=json.load(open('$repo/.git/keyward-bench.json')); print(f\"{m['staged_files']} files, {m['added_lines']:,} added lines, {m['added_bytes']/1e6:.1f} MB\")")
  n=$runs; [ "$size" = small ] || n=$(( runs < 10 ? runs : 10 ))
  (cd "$repo" && hyperfine -N -i --warmup 3 --runs "$n" --style none --export-json "$dir/$size.json" \
      "git diff --cached --no-color -U0" "$bin scan --staged" >/dev/null 2>&1)
  floor=$(median "$dir/$size.json" 0); ours=$(median "$dir/$size.json" 1)
  ratio=$(python3 -c "print(f'{$ours/$floor:.2f}x')")
  mem_git=$(cd "$repo" && peak_mb git diff --cached --no-color -U0)
  mem_ours=$(cd "$repo" && peak_mb "$bin" scan --staged)
  found=$(cd "$repo" && "$bin" scan --staged --format json 2>/dev/null | python3 -c "import json,sys; print(len(json.load(sys.stdin)['findings']))" || true)
  printf '| %s | %s | %.1f ms | %.1f ms | %s | %s / %s | %s |\n' "$size" "$desc" \
    "$(python3 -c "print($floor*1000)")" "$(python3 -c "print($ours*1000)")" "$ratio" "$mem_git" "$mem_ours" "$found"
done
verbose=$(cd "$dir/small" 2>/dev/null && "$bin" scan --staged -v 2>&1 || true)
parsed=$(grep -o '[0-9]* of [0-9]* rules were parsed' <<<"$verbose" || true)
compiled=$(grep -o '[0-9]* of [0-9]* rule regexes' <<<"$verbose" || true)
[ -z "$compiled" ] || echo "small commit: $parsed, $compiled compiled"
