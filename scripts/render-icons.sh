#!/usr/bin/env bash
# Renders the application icon resources/icons/attnscope.svg to the PNG sizes desktops ask for
# (resources/icons/attnscope-<N>.png, committed). Needs rsvg-convert (Debian: librsvg2-bin).
set -euo pipefail
cd "$(dirname "$0")/../resources/icons"
for n in 16 24 32 48 64 128 256; do
    rsvg-convert -w "$n" -h "$n" attnscope.svg -o "attnscope-$n.png"
done
ls -l attnscope-*.png
