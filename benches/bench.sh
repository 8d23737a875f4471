#!/usr/bin/env bash
# benches/bench.sh [SIZE...]     SIZE: small | medium | large | huge-line | history
#                                (default: small large huge-line)
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
# `history` times `keyward scan --range HEAD` against `git log -p -U0 --no-color --no-merges
# HEAD` (which only prints what the commits add) on a generated history (benches/gen-history.py,
# 3,000 commits) and on the whole histories of the public repositories listed in
# KEYWARD_BENCH_HISTORIES (git directories or URLs, space-separated; default: the snapshots
# under ../.mirror that exist), with wall and CPU (user+sys) ratios, peak memory, and the peer
# scanners' times where ../shared/bench/setup-anchors.sh installed them.
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

if printf '%s\n' "${sizes[@]}" | grep -qv '^history$'; then
  printf '| case | staged change | floor: git diff --cached (median) | keyward (median) | wall ratio | CPU ratio (means) | peak MB (git / keyward) | findings |\n'
  printf '|---|---|---:|---:|---:|---:|---:|---:|\n'
fi
history_table() {
  local repos=() name src
  repos+=("$dir/history-generated")
  if [ ! -d "$dir/history-generated/.git" ]; then
    git init -q "$dir/history-generated"
    python3 "$here/benches/gen-history.py" 3000 1 | git -C "$dir/history-generated" fast-import --quiet
    git -C "$dir/history-generated" reset -q --hard main
    git -C "$dir/history-generated" repack -adq
  fi
  local sources=${KEYWARD_BENCH_HISTORIES:-$(ls -d "$here"/../.mirror/*/repo 2>/dev/null | grep -E 'stripe-python|create-t3-app|openai-python|gitleaks' || true)}
  for src in $sources; do
    name=$(basename "$(dirname "$src")")
    [ "$name" != . ] && [ "$name" != / ] || name=$(basename "$src" .git)
    [ -d "$dir/history-$name/.git" ] || git clone -q "$src" "$dir/history-$name"
    repos+=("$dir/history-$name")
  done
  local A=${ANCHORS:-/opt/anchors}/bin
  printf '\n| history | commits | floor: git log -p -U0 (median) | keyward (median) | wall ratio | CPU ratio (means) | peak MB (git / keyward) | peers (median) |\n'
  printf '|---|---:|---:|---:|---:|---:|---:|---|\n'
  for repo in "${repos[@]}"; do
    local cmds=("git log -p -U0 --no-color --no-merges HEAD" "$bin -q scan --range HEAD") names=()
    [ -x "$A/gitleaks" ] && { cmds+=("$A/gitleaks git --no-banner -l error ."); names+=(gitleaks); }
    [ -x "$A/betterleaks" ] && { cmds+=("$A/betterleaks git --no-banner -l error ."); names+=(betterleaks); }
    [ -x "$A/kingfisher" ] && { cmds+=("$A/kingfisher scan . --git-history full --no-validate --no-update-check -q"); names+=(kingfisher); }
    (cd "$repo" && hyperfine -N -i --warmup 1 --runs "${HISTORY_RUNS:-5}" --style none --output null \
        --export-json "$dir/history.json" "${cmds[@]}" >/dev/null 2>&1)
    python3 - "$dir/history.json" "$repo" "$(git -C "$repo" rev-list --count HEAD)" \
      "$(cd "$repo" && peak_mb git log -p -U0 --no-color --no-merges HEAD)" \
      "$(cd "$repo" && peak_mb "$bin" -q scan --range HEAD)" "${names[@]}" <<'PY'
import json, os, statistics, sys
path, repo, commits, mem_git, mem_ours, *peers = sys.argv[1:]
r = json.load(open(path))["results"]
med = [statistics.median(x["times"]) for x in r]
cpu = [x["user"] + x["system"] for x in r]  # hyperfine keeps CPU time as means
peer = ", ".join(f"{n} {m:.2f} s" for n, m in zip(peers, med[2:])) or "not installed"
print(f"| {os.path.basename(repo)} | {commits} | {med[0]:.2f} s | {med[1]:.2f} s | "
      f"{med[1] / med[0]:.2f}x | {cpu[1] / cpu[0]:.2f}x | {mem_git} / {mem_ours} | {peer} |")
PY
  done
}

for size in "${sizes[@]}"; do
  if [ "$size" = history ]; then
    history_table
    continue
  fi
  repo="$dir/$size"
  [ -d "$repo/.git" ] || "$shared/bench/make-repo.sh" "$size" "$repo" >/dev/null
  desc=$(python3 -c "import json; m=json.load(open('$repo/.git/keyward-bench.json')); print(f\"{m['staged_files']} files, {m['added_lines']:,} added lines, {m['added_bytes']/1e6:.1f} MB\")")
  n=$runs; [ "$size" = small ] || n=$(( runs < 10 ? runs : 10 ))
  (cd "$repo" && hyperfine -N -i --warmup 3 --runs "$n" --style none --export-json "$dir/$size.json" \
      "git diff --cached --no-color -U0" "$bin scan --staged" >/dev/null 2>&1)
  floor=$(median "$dir/$size.json" 0); ours=$(median "$dir/$size.json" 1)
  ratio=$(python3 -c "print(f'{$ours/$floor:.2f}x')")
  cpu=$(python3 -c "import json; r=json.load(open('$dir/$size.json'))['results']; c=[x['user']+x['system'] for x in r]; print(f'{c[1]/c[0]:.2f}x')")
  mem_git=$(cd "$repo" && peak_mb git diff --cached --no-color -U0)
  mem_ours=$(cd "$repo" && peak_mb "$bin" scan --staged)
  found=$(cd "$repo" && "$bin" scan --staged --format json 2>/dev/null | python3 -c "import json,sys; print(len(json.load(sys.stdin)['findings']))" || true)
  printf '| %s | %s | %.1f ms | %.1f ms | %s | %s | %s / %s | %s |\n' "$size" "$desc" \
    "$(python3 -c "print($floor*1000)")" "$(python3 -c "print($ours*1000)")" "$ratio" "$cpu" "$mem_git" "$mem_ours" "$found"
done
verbose=$(cd "$dir/small" 2>/dev/null && "$bin" scan --staged -v 2>&1 || true)
parsed=$(grep -o '[0-9]* of [0-9]* rules were parsed' <<<"$verbose" || true)
compiled=$(grep -o '[0-9]* of [0-9]* rule regexes' <<<"$verbose" || true)
[ -z "$compiled" ] || echo "small commit: $parsed, $compiled compiled"
