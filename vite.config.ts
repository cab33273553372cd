import { sveltekit } from '@sveltejs/kit/vite'
import { defineConfig } from 'vitest/config'

export default defineConfig({
  plugins: [sveltekit()],
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
