#!/usr/bin/env bash
# Runs the NAT lab (tests/nat) when this machine can: it needs root for network
# namespaces and NAT rules. Where it cannot, it says so and exits 0, so the
# rest of the suite still counts; every other failure fails.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-nat-lab.sh
status=$?
if [ "$status" -eq 3 ]; then
  echo "NAT lab: not run on this machine (see above). CI runs it as root." >&2
  exit 0
fi
[ "$status" -eq 0 ] || exit "$status"
set -e
if [ "${PEERLINK_SKIP_BUILD:-}" != "1" ]; then
  npm run build
fi
exec npx playwright test -c tests/nat/playwright.config.ts "$@"
