#!/usr/bin/env python3
"""Checks a grim screenshot of the kiosk under cage (tests/cage/run.sh).

    check_fill.py SHOT.png WIDTH HEIGHT [--ready]

With --ready: exits 0 once the PIN pad is drawn (its OK button's accent colour is on screen),
1 otherwise, silently (run.sh polls with it). Without: checks that the picture is WIDTH x HEIGHT
and that the kiosk fills it: every pixel of the outer rows and columns (the bottom rows and right
columns included, where a window smaller than the output leaves black) is the app's background
colour, which is the picture's most common colour and not dark. Says what it found either way.

Pixels are read through ImageMagick's convert (raw RGB out), so any PNG grim writes will do.
"""

import os
import subprocess
import sys
from collections import Counter

ACCENT = bytes((0x1D, 0x5C, 0x63))  # Theme.accent: the OK button's border on the PIN pad
EDGE = 4  # outer rows and columns checked on each side
# ImageMagick's (a "convert" earlier on PATH may be something else).
CONVERT = "/usr/bin/convert" if os.path.exists("/usr/bin/convert") else "convert"


def read_rgb(path):
    """The picture's width, height and raw RGB bytes (row by row)."""
    size = subprocess.run(
        [CONVERT, path, "-format", "%w %h", "info:"], check=True, capture_output=True, text=True
    ).stdout.split()
    raw = subprocess.run([CONVERT, path, "-depth", "8", "rgb:-"], check=True, capture_output=True).stdout
    return int(size[0]), int(size[1]), raw


def main():
    path, want_w, want_h = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    width, height, raw = read_rgb(path)
    accent = raw.count(ACCENT)
    if "--ready" in sys.argv[4:]:
        sys.exit(0 if accent >= 50 else 1)

    def pixels(x0, y0, w, h):
        return [
            raw[(y * width + x) * 3 : (y * width + x) * 3 + 3]
            for y in range(y0, y0 + h)
            for x in range(x0, x0 + w)
        ]

    problems = []
    if (width, height) != (want_w, want_h):
        problems.append(f"the output is {width}x{height}, not {want_w}x{want_h}")
    # Every 7th pixel is plenty to find the colour that covers most of the picture.
    counts = Counter(raw[i : i + 3] for i in range(0, len(raw), 3 * 7))
    background, share = counts.most_common(1)[0]
    if sum(background) < 3 * 128:
        problems.append(f"the most common colour is dark {tuple(background)}: the window does not cover the output")
    if accent < 50:
        problems.append("no PIN pad on screen (no OK button in the accent colour)")
    edges = {
        "top rows": pixels(0, 0, width, EDGE),
        "bottom rows": pixels(0, height - EDGE, width, EDGE),
        "left columns": pixels(0, 0, EDGE, height),
        "right columns": pixels(width - EDGE, 0, EDGE, height),
    }
    for name, edge in edges.items():
        off = [p for p in edge if p != background]
        if off:
            black = sum(1 for p in off if sum(p) < 30)
            problems.append(
                f"{len(off)} of the {len(edge)} pixels of the {EDGE} {name} are not the background "
                f"{tuple(background)} ({black} black, e.g. {tuple(off[0])})"
            )
    summary = (
        f"{path}: {width}x{height}, background {tuple(background)} on "
        f"{100 * share / sum(counts.values()):.0f}% of the picture, {accent} accent pixels"
    )
    if problems:
        print(f"FAIL {summary}", file=sys.stderr)
        for p in problems:
            print(f"  {p}", file=sys.stderr)
        sys.exit(1)
    print(f"ok   {summary}; the {EDGE} outer rows and columns on every side are background")


if __name__ == "__main__":
    main()
