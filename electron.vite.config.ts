import { resolve } from 'node:path'
import { defineConfig } from 'electron-vite'
import react from '@vitejs/plugin-react'

export default defineConfig({
  main: {
    build: {
      rollupOptions: {
        // The CLI is bundled beside the app's main process so both share main/core. Two workers are entries of their
        // own: the token worker (out/main/tokenWorker.js), so vendor PKCS#11 modules load only in that process
        // (workerPath.ts), and the key-derivation worker (out/main/keyCryptoWorker.js), which worker_threads needs
        // as a file (main/core/npki/keyCrypto.ts looks for it next to the bundle).
        input: {
          index: resolve(__dirname, 'main/index.ts'),
          cli: resolve(__dirname, 'main/cli.ts'),
          tokenWorker: resolve(__dirname, 'main/core/stores/token/tokenWorker.ts'),
          keyCryptoWorker: resolve(__dirname, 'main/core/npki/keyCryptoWorker.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      rollupOptions: { input: { index: resolve(__dirname, 'preload/index.ts') } },
    },
  },
  renderer: {
    root: resolve(__dirname, 'renderer'),
    plugins: [react()],
    build: {
      rollupOptions: { input: { index: resolve(__dirname, 'renderer/index.html') } },
    },
  },
})
