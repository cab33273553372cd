#!/usr/bin/env bash
# Runs a command in a fresh network namespace that has nothing but loopback,
# so the relay, the browsers and every ICE candidate stay on 127.0.0.1 and no
# test traffic can leave the machine.
set -euo pipefail
if [ "${PEERLINK_NETNS:-}" = "loopback" ]; then
  exec "$@"
fi
inner='ip link set lo up && exec "$@"'
if [ "$(id -u)" -eq 0 ]; then
  exec unshare --net -- env PEERLINK_NETNS=loopback bash -c "$inner" bash "$@"
fi
if unshare --user --map-root-user --net true 2>/dev/null; then
  exec unshare --user --map-root-user --net -- env PEERLINK_NETNS=loopback bash -c "$inner" bash "$@"
fi
echo "Cannot create a network namespace (needs root or unprivileged user namespaces)." >&2
echo "The browser tests only run isolated on loopback; run them as root, or enable user namespaces." >&2
exit 1
