// Loaded before the worker (--import) to stand in for Electron's utility process: a `process.parentPort` that delivers
// messages as `{ data }` events and posts answers, riding on the Node IPC channel. Answers are marked so the test can
// tell that the worker used parentPort and not process.send.
const port = {
  on(event: 'message', listener: (e: { data: unknown }) => void): void {
    if (event === 'message') process.on('message', (m) => listener({ data: m }))
  },
  postMessage(message: unknown): void {
    process.send?.({ ...(message as object), viaParentPort: true })
  },
}
;(process as unknown as { parentPort: typeof port }).parentPort = port
