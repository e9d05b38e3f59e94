#!/usr/bin/env bash
# Drives the demo desk under Xvfb and saves docs/screenshots/17-… to 25-….
set -u
S=/work/main/docs/screenshots; export DISPLAY=:56
pkill -f "intake-kiosk desk window"; rm -rf /tmp/desk-exports; /tmp/desk_x.sh
import -window root $S/17-desk-closed.png
xdotool mousemove 640 403 click 1; sleep 0.3; xdotool type --delay 15 "demo clinic passphrase"; xdotool mousemove 640 523 click 1; sleep 2
xdotool mousemove 854 427 click 1; sleep 0.5; xdotool mousemove 640 439 click 1; xdotool type --delay 20 "111111"; xdotool mousemove 640 551 click 1; sleep 1
import -window root $S/18-desk-sign-in-wrong-pin.png
xdotool mousemove 640 439 click 1; xdotool key ctrl+a BackSpace; xdotool type --delay 20 "560193"; xdotool mousemove 640 551 click 1; sleep 1.5
y=$1   # y of the search fields on reception's home
xdotool mousemove 170 $y click 1; xdotool type --delay 15 "Ana"; xdotool mousemove 475 $y click 1; xdotool type --delay 15 "Demo"; xdotool mousemove 817 $y click 1; xdotool type --delay 15 "1988-04-12"; xdotool mousemove 1134 $y click 1; sleep 1
import -window root $S/19-desk-register-search-reception.png
xdotool mousemove 640 $((y+112)) click 1; sleep 1
import -window root $S/20-desk-record-reception.png
xdotool mousemove 640 500; for i in $(seq 1 25); do xdotool click 5; done; sleep 0.4
import -window root $S/21-desk-record-reception-consents.png
xdotool mousemove 1232 36 click 1; sleep 0.8; xdotool mousemove 440 427 click 1; sleep 0.5
xdotool mousemove 640 439 click 1; xdotool type --delay 20 "402718"; xdotool mousemove 640 551 click 1; sleep 1.5
import -window root $S/22-desk-home-manager.png
y2=$2
xdotool mousemove 170 $y2 click 1; xdotool type --delay 15 "Ana"; xdotool mousemove 475 $y2 click 1; xdotool type --delay 15 "Demo"; xdotool mousemove 817 $y2 click 1; xdotool type --delay 15 "1988-04-12"; xdotool mousemove 1134 $y2 click 1; sleep 1
xdotool mousemove 640 $((y2+112)) click 1; sleep 1
import -window root $S/23-desk-record-manager.png
xdotool mousemove 640 500; for i in $(seq 1 40); do xdotool click 5; done; sleep 0.4
import -window root $S/24-desk-record-forms-and-access-history.png
xdotool mousemove 640 500; for i in $(seq 1 60); do xdotool click 4; done; sleep 0.4
xdotool mousemove 686 228 click 1; sleep 0.5; xdotool mousemove 1075 298 click 1; sleep 1
import -window root $S/25-desk-erasure-statement.png
