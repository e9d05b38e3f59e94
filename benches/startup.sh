#!/usr/bin/env bash
# Launch-to-first-frame time and memory (PSS) of the release kiosk at 1280x800 under Xvfb with a
# window manager, with the encrypted store opened (created, then reopened) and the form loaded.
# Prints medians of N runs; no assertions. Needs xvfb and matchbox-window-manager.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-5}
# BIN: a binary already built (e.g. under a shared CARGO_TARGET_DIR); else build one here.
if [ -z "${BIN:-}" ]; then
  cargo build --release --quiet
fi
bin=${BIN:-target/release/intake-kiosk}
# PSS shares a page among the processes that map it: another process running this same binary
# (a kiosk left open, a test) halves the binary's ~19 MB of mapped pages in the figure (measured:
# 17,665 KiB beside a running kiosk, 25,962 KiB alone). Refuse rather than print a low figure.
real=$(readlink -f "$bin")
for exe in /proc/[0-9]*/exe; do
  if [ "$(readlink "$exe" 2>/dev/null)" = "$real" ]; then
    pid=${exe#/proc/}; pid=${pid%/exe}
    echo "another process ($pid) runs $real: stop it first, its shared pages would lower the PSS" >&2
    exit 1
  fi
done
data=$(mktemp -d)
trap 'rm -rf "$data"' EXIT
measure() {
  xvfb-run -a -s "-screen 0 1280x800x24" bash -c '
    matchbox-window-manager -use_titlebar no >/dev/null 2>&1 &
    sleep 0.5
    start=$(date +%s%N)
    out=$(INTAKE_KIOSK_STARTUP_PROBE=1 '"$bin"' --data-dir '"$data"' 2>/dev/null)
    frame=$(echo "$out" | sed -n "s/^first-frame-unix-ns=//p")
    pss=$(echo "$out" | sed -n "s/^pss-kib=//p")
    echo "$(( (frame - start) / 1000000 )) $pss"'
}
times=(); mems=()
for i in $(seq "$runs"); do
  read -r ms kib < <(measure)
  times+=("$ms"); mems+=("$kib")
  echo "run $i: first frame ${ms} ms, PSS $((kib / 1024)) MiB ($kib KiB)"
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "median first frame: $(median "${times[@]}") ms (target <= 50 ms)"
pss=$(median "${mems[@]}")
echo "median PSS: $((pss / 1024)) MiB ($pss KiB; target <= 25 MB)"
# For scripts comparing runs.
echo "first_frame_ms=$(median "${times[@]}")"
echo "pss_kib=$pss"
# How much of link/startup-symbols.txt (the functions start-up runs, placed together by build.rs)
# this binary still holds: far below the list's length, run benches/startup-symbols.sh again.
if [ -f link/startup-symbols.txt ] && command -v nm >/dev/null; then
  listed=$(wc -l < link/startup-symbols.txt)
  found=$(nm --defined-only "$bin" 2>/dev/null | awk '{print $3}' | sort -u |
    comm -12 - <(sort -u link/startup-symbols.txt) | wc -l)
  echo "start-up functions placed together: $found of the $listed listed"
  echo "startup_symbols_found=$found"
fi
