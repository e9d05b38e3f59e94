#!/usr/bin/env bash
# The kiosk under the cage kiosk compositor, as deploy/intake-kiosk.service runs it (`cage -d --
# intake-kiosk`, a dedicated non-root user, a private 0700 XDG_RUNTIME_DIR), drawn with wlroots'
# pixman renderer and no input devices. For each output a `grim` screenshot must show the PIN pad
# (`--demo`) filling the whole output: tests/cage/check_fill.py reads the pixels (the outer rows
# and columns on every side are the app's background, none black).
#
# Outputs: cage 0.1.4 (Debian) on wlroots 0.15 has no way to size a headless output (no
# output-management protocol for wlr-randr, no cage option; WLR_HEADLESS_OUTPUTS is a count): its
# output is 1280x720, or 720x1280 with `cage -r` (a landscape panel mounted upright). Those two run
# on the headless backend. 1280x800 and 800x1280 run on wlroots' X11 backend inside an Xvfb screen
# of that size, whose window manager makes cage's output window full screen, so the output takes
# the screen's size; with CAGE_SHOTS=DIR their screenshots go to DIR/cage-WxH.png
# (docs/screenshots/ holds the committed ones).
#
# Usage: tests/cage/run.sh   (BIN=path/to/intake-kiosk; default the debug build CI makes)
# Run as root it creates and uses the system user $CAGE_TEST_USER (cage refuses to run as root);
# run as anyone else it runs as that user; a user this script created is removed at the end.
# Needs cage, grim, xvfb, matchbox-window-manager, imagemagick, python3, and Xwayland for the last
# case. The kiosk is a native Wayland client (winit's Wayland backend, chosen by WAYLAND_DISPLAY):
# the four size cases run with WLR_XWAYLAND pointing at no binary (cage carries on without it, it
# only logs it), which checks exactly that; the last runs with Xwayland started by cage, as on a
# machine that has it, where the kiosk must still speak Wayland and fill the output (as an X11
# client through Xwayland it leaves the old black strip).
set -euo pipefail
cd "$(dirname "$0")/../.."

bin=${BIN:-${CARGO_TARGET_DIR:-target}/debug/intake-kiosk}
shots=${CAGE_SHOTS:-} # CAGE_SHOTS=docs/screenshots refreshes the committed screenshots
user=${CAGE_TEST_USER:-intake-kiosk-cage-test}
patience=${CAGE_PATIENCE:-90} # seconds for a debug --demo (several key derivations) to show

for tool in cage grim Xvfb Xwayland matchbox-window-manager python3; do
  command -v "$tool" >/dev/null || { echo "cage test: $tool is not installed" >&2; exit 1; }
done
[ -x "$bin" ] || { echo "cage test: no binary at $bin (cargo build first)" >&2; exit 1; }

work=$(mktemp -d)
pids=()
created_user=
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
  # The test user goes again, but only if this run made it (an existing account is not ours).
  if [ -n "$created_user" ]; then userdel "$created_user" 2>/dev/null || true; fi
}
trap cleanup EXIT

as=()
if [ "$(id -u)" = 0 ]; then
  if ! id -u "$user" >/dev/null 2>&1; then
    useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$user"
    created_user=$user
  fi
  as=(runuser -u "$user" --)
else
  user=$(id -un)
fi
chmod 0755 "$work"
# A copy the kiosk user can run, wherever the checkout is (root's home is not theirs to read).
install -m 0755 "$bin" "$work/intake-kiosk"

# fails: prints why and the compositor's log, exits 1.
fails() {
  echo "cage test FAILED ($1): $2" >&2
  grep -v "Basic output test failed" "$3" | tail -20 >&2 || true
  exit 1
}

# case NAME WIDTH HEIGHT BACKEND [CAGE OPTIONS...]: one kiosk under cage; checks its screenshot.
case_() {
  local name=$1 width=$2 height=$3 backend=$4
  shift 4
  local started=$SECONDS run="$work/run-$name" log="$work/cage-$name.log" shot="$work/$name.png"
  local env=(XDG_RUNTIME_DIR="$run" TMPDIR="$run" WLR_BACKENDS="$backend" WLR_RENDERER=pixman
    WLR_LIBINPUT_NO_DEVICES=1 WLR_XWAYLAND="${XWAYLAND:-/nonexistent/Xwayland}" RUST_LOG=info)
  mkdir -m 0700 "$run"
  [ "${#as[@]}" = 0 ] || chown "$user:" "$run"
  if [ "$backend" = x11 ]; then
    # Xvfb picks a free display and writes its number; a window manager sizes cage's window.
    Xvfb -displayfd 3 -screen 0 "${width}x${height}x24" -nolisten tcp 3>"$work/display-$name" \
      >/dev/null 2>&1 &
    pids+=($!)
    local waited=0
    until [ -s "$work/display-$name" ]; do
      sleep 0.1; waited=$((waited + 1))
      [ $waited -lt 300 ] || fails "$name" "Xvfb did not start" /dev/null
    done
    local display=":$(cat "$work/display-$name")"
    DISPLAY=$display matchbox-window-manager -use_titlebar no >/dev/null 2>&1 &
    pids+=($!)
    env+=(DISPLAY="$display")
  fi
  "${as[@]}" env -i PATH=/usr/bin:/bin HOME=/nonexistent "${env[@]}" \
    cage -d "$@" -- "$work/intake-kiosk" --demo >"$log" 2>&1 &
  local cage=$!
  pids+=("$cage")
  grab() { "${as[@]}" env -i XDG_RUNTIME_DIR="$run" WAYLAND_DISPLAY=wayland-0 grim - >"$1" 2>/dev/null; }
  # The PIN pad is recognised by its pixels (the OK button's accent colour), polled.
  until [ -S "$run/wayland-0" ] && grab "$shot" && tests/cage/check_fill.py "$shot" "$width" "$height" --ready; do
    kill -0 "$cage" 2>/dev/null || fails "$name" "cage or the kiosk ended" "$log"
    [ $((SECONDS - started)) -lt "$patience" ] || fails "$name" "no PIN pad after ${patience}s" "$log"
    sleep 0.25
  done
  # Then until two screenshots in a row are the same (any resize after the first frame is done).
  grab "$shot.next"
  until cmp -s "$shot" "$shot.next"; do
    [ $((SECONDS - started)) -lt "$patience" ] || fails "$name" "the picture never settled" "$log"
    mv "$shot.next" "$shot"
    sleep 0.25
    grab "$shot.next"
  done
  tests/cage/check_fill.py "$shot" "$width" "$height" || fails "$name" "the kiosk does not fill the output" "$log"
  if [ -n "${XWAYLAND:-}" ]; then
    # Xwayland was there for the kiosk to use: cage handed it a DISPLAY (no case passes one in
    # here) and an Xwayland server runs; the picture above says the kiosk still chose Wayland.
    local kiosk
    kiosk=$(pgrep -n -f "^$work/intake-kiosk --demo") || fails "$name" "no kiosk process" "$log"
    tr '\0' '\n' <"/proc/$kiosk/environ" | grep -q '^DISPLAY=:' \
      || fails "$name" "cage gave the kiosk no Xwayland display" "$log"
    pgrep -u "$user" -x Xwayland >/dev/null || fails "$name" "no Xwayland of $user running" "$log"
  fi
  kill "$cage"
  wait "$cage" 2>/dev/null || true
  echo "     (cage -d $* with WLR_BACKENDS=$backend${XWAYLAND:+ and Xwayland} as $user: $((SECONDS - started))s)"
  if [ -n "$shots" ] && [ -n "${CAGE_SAVE:-}" ]; then cp "$shot" "$shots/cage-${width}x${height}.png"; fi
}

CAGE_SAVE= case_ headless-landscape 1280 720 headless
CAGE_SAVE= case_ headless-portrait 720 1280 headless -r
CAGE_SAVE=1 case_ x11-landscape 1280 800 x11
CAGE_SAVE=1 case_ x11-portrait 800 1280 x11
XWAYLAND=$(command -v Xwayland) CAGE_SAVE= case_ headless-with-xwayland 1280 720 headless
echo "cage test: the kiosk fills the output at 1280x720 and 720x1280 (headless) and 1280x800 and 800x1280 (X11 backend), and with Xwayland running beside it"
