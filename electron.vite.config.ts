import { resolve } from 'node:path'
import { defineConfig } from 'electron-vite'
import react from '@vitejs/plugin-react'

export default defineConfig({
  main: {
    build: {
      rollupOptions: {
        // The CLI is bundled beside the app's main process so both share main/core. The key-derivation worker is an
        // entry of its own (out/main/keyCryptoWorker.js): worker_threads needs a file, and main/core/npki/keyCrypto.ts
        // looks for it next to the bundle.
        input: {
          index: resolve(__dirname, 'main/index.ts'),
          cli: resolve(__dirname, 'main/cli.ts'),
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
