import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // expect.poll waits for what the page or a watcher does next; 1 s (vitest's default) is too little on a busy
    // CI machine. A poll that passes returns at once, so this only lengthens real failures.
    expect: { poll: { timeout: 10_000 } },
    // Two cores: keep OpenSSL-heavy files from starving each other.
    maxWorkers: 2,
  },
})
