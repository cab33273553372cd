import adapter from '@sveltejs/adapter-static'
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte'
import { sourceVersion } from './vite/source-version.js'

/** What the app's build is made from, relative to this file. */
const BUILD_INPUTS = ['src', 'static', 'vite', 'patches', 'package-lock.json', 'svelte.config.js', 'vite.config.ts']

/** @type {import('@sveltejs/kit').Config} */
const config = {
  preprocess: vitePreprocess(),
  kit: {
    // SvelteKit's default name is the build's time: every rebuild of the same
    // code (`npm start` builds on each start) was then a new version to every
    // open tab, offered as an update and fetched whole by the service worker
    version: { name: sourceVersion(import.meta.dirname, BUILD_INPUTS) },
    // A single-page app: the relay serves index.html for every path it does not
    // know, so deep links such as /p/<peerId> load from the static build.
    // precompress: a .br and a .gz beside each page, script and style sheet,
    // which the relay sends to browsers that accept them (relay/static-files.ts)
    adapter: adapter({ pages: 'build', assets: 'build', fallback: 'index.html', strict: true, precompress: true }),
    // registered by src/lib/state/app-worker.svelte.ts, which also offers updates
    // and needs the registration for notifications
    serviceWorker: {
      register: false,
      // store screenshots only matter to the install dialog, which fetches them online
      files: (file) => !file.startsWith('screenshots/')
    },
    csp: {
      mode: 'hash',
      directives: {
        'default-src': ['self'],
        'script-src': ['self'],
        'style-src': ['self', 'unsafe-inline'],
        // the QR code is rendered to a data: URL
        'img-src': ['self', 'data:', 'blob:'],
        // relays may live on other hosts than the one serving the app
        'connect-src': ['self', 'ws:', 'wss:'],
        'worker-src': ['self'],
        'manifest-src': ['self'],
        'object-src': ['none'],
        'base-uri': ['self'],
        'form-action': ['self']
      }
    }
  }
}

export default config
