#!/usr/bin/env bash
# Writes link/startup-symbols.txt: the functions the release kiosk runs from launch until
# benches/startup.sh reads its memory (2 s after start), as the linker names them, for build.rs
# to hand the linker (`--symbol-ordering-file`) so that they sit together at the front of the
# binary's code.
#
# Why: the kernel maps a program's code a block at a time (fault-around, and whole large folios
# on newer kernels), so a start-up that runs 2.9 MB of functions spread over the 22 MB of code
# had 14-15 MB of it mapped (measured with /proc/PID/pagemap: 272 of 346 64-KiB windows touched).
#
# Run it after a change of dependencies, Rust version or release profile (symbol names carry a
# hash of those; names that no longer exist are skipped by the linker, so an old list is only
# less useful, never wrong). Needs valgrind, xvfb and matchbox-window-manager; takes ~1 minute.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${BIN:-}" ]; then
  cargo build --release --quiet
fi
bin=$(readlink -f "${BIN:-target/release/intake-kiosk}")
for tool in valgrind nm xvfb-run matchbox-window-manager python3; do
  command -v "$tool" >/dev/null || { echo "startup-symbols.sh needs $tool" >&2; exit 1; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Three starts, each under callgrind (which lists every function that ran): a new data folder
# (the store created), the same folder again (what benches/startup.sh measures), the demo.
xvfb-run -a -s "-screen 0 1280x800x24" bash -c '
  matchbox-window-manager -use_titlebar no >/dev/null 2>&1 &
  sleep 0.5
  probe() {
    out=$1; shift
    INTAKE_KIOSK_STARTUP_PROBE=1 valgrind --tool=callgrind --demangle=no \
      --callgrind-out-file="$out" "$@" >/dev/null 2>&1
  }
  probe "$1/new.cg" "$2" --data-dir "$1/data"
  probe "$1/existing.cg" "$2" --data-dir "$1/data"
  probe "$1/demo.cg" "$2" --demo
' bash "$work" "$bin"
nm --defined-only "$bin" | awk '$2 ~ /^[tTwW]$/ {print $3}' > "$work/text"
mkdir -p link
# The functions in the order of the starts above (the measured one first), each once, only the
# binary's own (not libc's, X11's, …).
python3 - "$work/text" "$work/existing.cg" "$work/new.cg" "$work/demo.cg" \
  > link/startup-symbols.txt <<'EOF'
import re, sys
text = set(open(sys.argv[1]).read().split())
seen, order = set(), []
for path in sys.argv[2:]:
    names = {}
    for line in open(path):
        m = re.match(r"^(c?fn)=\((\d+)\)(?: (.*))?$", line.rstrip("\n"))
        if not m:
            continue
        kind, ref, name = m.groups()
        if name:
            names[ref] = name
        name = names.get(ref)
        if kind == "fn" and name in text and name not in seen:
            seen.add(name)
            order.append(name)
print("\n".join(order))
EOF
echo "link/startup-symbols.txt: $(wc -l < link/startup-symbols.txt) functions"
