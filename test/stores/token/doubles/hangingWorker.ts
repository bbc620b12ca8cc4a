// Test double of the token worker: accepts requests and never answers, like a module stuck waiting for a device.
// The event loop is kept busy-free but alive, so only a kill ends it.
process.on('message', () => {
  /* never answer */
})
setInterval(() => undefined, 1 << 30)
