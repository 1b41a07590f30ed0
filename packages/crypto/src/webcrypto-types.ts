// The workspace compiles without the DOM library, so WebCrypto's types come from Node's own
// declarations. They are structurally the DOM types: a `CryptoKey` from either is accepted.
import type { webcrypto } from 'node:crypto'

export type CryptoKey = webcrypto.CryptoKey
export type CryptoKeyPair = webcrypto.CryptoKeyPair
export type JsonWebKey = webcrypto.JsonWebKey
export type EcKeyImportParams = webcrypto.EcKeyImportParams
export type RsaHashedImportParams = webcrypto.RsaHashedImportParams
export type EcdsaParams = webcrypto.EcdsaParams
export type Algorithm = webcrypto.Algorithm
