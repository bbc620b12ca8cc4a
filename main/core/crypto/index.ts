// Electron-free crypto primitives for NPKI keys: SEED, CBC with strict PKCS#7, and the NPKI KDFs.
export { Seed128, seedKeySchedule } from './seed'
export {
  PaddingError,
  cbcDecrypt,
  cbcDecryptNoUnpad,
  cbcEncrypt,
  keyLengthOf,
  strictUnpad,
  type BlockCipher,
  type CbcAlgorithm,
} from './cbc'
export { MAX_KDF_ITERATIONS, npkiSeedKeyIv, pbkdf1Sha1, pbkdf2 } from './kdf'
