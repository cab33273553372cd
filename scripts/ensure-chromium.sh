#!/usr/bin/env bash
# Browser tests drive Debian's Chromium (Playwright cannot download its own
# browsers here). Installs it when missing and we are root; otherwise says
# what to install.
set -euo pipefail
CHROMIUM="${PEERLINK_CHROMIUM:-/usr/bin/chromium}"
if [ -x "$CHROMIUM" ] && command -v ip >/dev/null && command -v unshare >/dev/null; then
  exit 0
fi
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
  echo "Installing Debian packages for the browser tests (chromium, iproute2)..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends chromium iproute2 util-linux >/dev/null
  exit 0
fi
echo "The browser tests need Chromium at $CHROMIUM and the 'ip' and 'unshare' commands." >&2
echo "Install them (Debian/Ubuntu: sudo apt-get install chromium iproute2), or set PEERLINK_CHROMIUM." >&2
exit 1
