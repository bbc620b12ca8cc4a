// Test double of the token worker: dies on the first request, the way a vendor module that crashes takes its process
// down (SIGSEGV inside C_Login, say). Speaks nothing of the protocol.
process.on('message', () => {
  process.kill(process.pid, 'SIGSEGV')
})
