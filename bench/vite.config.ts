import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'

/**
 * Builds the benchmark pages (bench/pages) into bench/.dist, apart from the
 * app: the pages import src/lib/p2p/node.ts directly to drive a real Peerlink
 * node, so nothing in the production build (build/) exposes its node to page
 * scripts. The bench process serves bench/.dist on its own origin.
 */
export default defineConfig({
  root: fileURLToPath(new URL('./pages', import.meta.url)),
  logLevel: 'warn',
  build: {
    outDir: fileURLToPath(new URL('./.dist', import.meta.url)),
    emptyOutDir: true,
    // the same target as the app: libp2p needs top-level await and BigInt
    target: 'es2022',
    // the bare page must stay tiny: it is the floor for page load too
    rolldownOptions: {
      input: {
        index: fileURLToPath(new URL('./pages/index.html', import.meta.url)),
        bare: fileURLToPath(new URL('./pages/bare.html', import.meta.url))
      }
    },
    chunkSizeWarningLimit: 2048
  }
})
