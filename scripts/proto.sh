#!/usr/bin/env bash
# Regenerates the protobuf code (the chat protocol, and the part of the relay
# hop protocol the browser speaks). protons 9 emits types for protons-runtime
# 7, while we run protons-runtime 8, whose Codec takes a decoded and an encoded
# type; the runtime code is the same, so only the generated type annotations
# are adjusted.
set -euo pipefail
cd "$(dirname "$0")/.."
for proto in src/lib/p2p/chat/pb/chat.proto src/lib/p2p/pb/hop.proto; do
  out="${proto%.proto}.ts"
  protons "$proto"
  sed -i -E 's/Codec<([A-Za-z]+)>/Codec<\1, Partial<\1>>/g; s/message<([A-Za-z]+)>\(/message<\1, Partial<\1>>(/g' "$out"
done
