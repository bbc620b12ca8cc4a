import { contextBridge } from 'electron'

// The typed IPC bridge arrives with the app screens; for now the page only learns the app version.
contextBridge.exposeInMainWorld('dojang', Object.freeze({ version: '0.1.0' }))
