#!/usr/bin/env bash
# Regenerates the protobuf code (the chat protocol, and the part of the relay
# hop protocol the browser speaks). protons 9 emits code for protons-runtime
# 7, the version every libp2p package of ours depends on: with one version,
# npm installs one copy, and the libp2p chunk carries it once, not once per
# package (it carried eight).
set -euo pipefail
cd "$(dirname "$0")/.."
for proto in src/lib/p2p/chat/pb/chat.proto src/lib/p2p/pb/hop.proto; do
  protons "$proto"
done
