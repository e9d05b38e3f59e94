#!/usr/bin/env bash
# The AT-SPI test: the kiosk (--demo) under Xvfb with a window manager, inside a private D-Bus
# session with the AT-SPI bus and registry; tests/atspi/check_tree.py reads and walks the tree.
# Needs: xvfb, matchbox-window-manager, at-spi2-core, python3-pyatspi, dbus (dbus-run-session).
# BIN defaults to the release build. Debian's python3 (pyatspi is a Debian package, not on PyPI).
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=${BIN:-${CARGO_TARGET_DIR:-target}/release/intake-kiosk}
[ -x "$bin" ] || { echo "build first: cargo build --release (or set BIN)" >&2; exit 2; }
export BIN_ABS=$(readlink -f "$bin") HERE=$(pwd)
xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- bash -c '
  set -euo pipefail
  export NO_AT_BRIDGE=0 GTK_MODULES=gail:atk-bridge
  /usr/libexec/at-spi-bus-launcher --launch-immediately >/tmp/atspi-bus.log 2>&1 &
  sleep 1
  /usr/libexec/at-spi2-registryd --use-gnome-session=false >/tmp/atspi-reg.log 2>&1 &
  # AccessKit exposes the tree only while assistive technology is on (as when Orca runs).
  dbus-send --session --print-reply --dest=org.a11y.Bus /org/a11y/bus \
    org.freedesktop.DBus.Properties.Set string:org.a11y.Status string:IsEnabled variant:boolean:true >/dev/null
  matchbox-window-manager -use_titlebar no >/dev/null 2>&1 &
  sleep 1
  "$BIN_ABS" --demo --windowed >/tmp/atspi-kiosk.log 2>&1 &
  kiosk=$!
  status=0
  /usr/bin/python3 "$HERE/tests/atspi/check_tree.py" ${ATSPI_VERBOSE:+-v} || status=$?
  kill "$kiosk" 2>/dev/null || true
  exit $status
'
