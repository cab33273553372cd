import { sveltekit } from '@sveltejs/kit/vite'
import { defineConfig } from 'vitest/config'
import { ed25519ByWebCrypto } from './vite/ed25519-by-webcrypto.ts'
import { ed25519Only } from './vite/ed25519-only.ts'
import { fewMultibases } from './vite/few-multibases.ts'
import { fnv1a32 } from './vite/fnv1a-32.ts'
import { loggerOnDemand } from './vite/logger-on-demand.ts'
import { noAddressMappings } from './vite/no-address-mappings.ts'
import { noDnsaddr } from './vite/no-dnsaddr.ts'
import { noRouting } from './vite/no-routing.ts'
import { noRandomWalk } from './vite/no-random-walk.ts'
import { plainRetry } from './vite/plain-retry.ts'
import { singleProcessLock } from './vite/single-process-lock.ts'

export default defineConfig({
  plugins: [ed25519Only(), ...ed25519ByWebCrypto(), fewMultibases(), noDnsaddr(), noAddressMappings(), noRandomWalk(), noRouting(), loggerOnDemand(), plainRetry(), singleProcessLock(), fnv1a32(), sveltekit()],
  build: {
    // libp2p and its crypto need top-level await and BigInt, which every browser
    // that has WebRTC data channels and WebCrypto Ed25519 supports anyway
    target: 'es2022'
  },
  test: {
    include: ['tests/unit/**/*.test.ts'],
    environment: 'node',
    setupFiles: ['tests/unit/setup.ts']
  }
})
