#!/usr/bin/env bash
# Renders the committed PNG icons in static/icons/ from the SVG artwork beside
# this script. Run it by hand after changing the artwork (needs rsvg-convert:
# Debian's librsvg2-bin); the build never runs it and only uses the PNGs.
set -euo pipefail
cd "$(dirname "$0")/.."
out=static/icons
mkdir -p "$out"
rsvg-convert -w 192 -h 192 scripts/icons/icon.svg -o "$out/icon-192.png"
rsvg-convert -w 512 -h 512 scripts/icons/icon.svg -o "$out/icon-512.png"
# full bleed: Android crops maskable icons to its own shape
rsvg-convert -w 512 -h 512 scripts/icons/icon-maskable.svg -o "$out/icon-maskable-512.png"
# iOS rounds the corners itself and shows transparency as black, so it gets the full-bleed artwork
rsvg-convert -w 180 -h 180 scripts/icons/icon-maskable.svg -o "$out/apple-touch-icon.png"
