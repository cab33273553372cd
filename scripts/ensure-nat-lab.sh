#!/usr/bin/env bash
# The NAT lab needs root (network namespaces, NAT rules) and a few Debian
# packages. Exit codes: 0 ready, 3 cannot run here (the caller skips the lab
# and says why), anything else a real failure.
set -euo pipefail
CHROMIUM="${PEERLINK_CHROMIUM:-/usr/bin/chromium}"
CANNOT_RUN=3
if [ "$(id -u)" -ne 0 ]; then
  echo "NAT lab: SKIPPED, it needs root to create network namespaces and NAT routers (run npm test as root, as CI does)." >&2
  exit "$CANNOT_RUN"
fi
missing=()
command -v ip >/dev/null || missing+=(iproute2)
command -v iptables >/dev/null || missing+=(iptables)
command -v conntrack >/dev/null || missing+=(conntrack)
command -v turnserver >/dev/null || missing+=(coturn)
[ -x "$CHROMIUM" ] || missing+=(chromium)
if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi
if ! command -v apt-get >/dev/null; then
  echo "NAT lab: SKIPPED, missing ${missing[*]} and no apt-get to install them." >&2
  exit "$CANNOT_RUN"
fi
echo "Installing Debian packages for the NAT lab (${missing[*]})..."
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# coturn's package must not start a system-wide TURN server: the lab runs its own
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
