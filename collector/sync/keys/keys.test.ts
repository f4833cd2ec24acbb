import { generateKeyPairSync, sign } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { fingerprintOf, formatPublicKey, keyIdOf, parsePublicKey, verifySignature } from './keys'

const pair = () => generateKeyPairSync('ed25519')
const raw = (key: ReturnType<typeof pair>['publicKey']) =>
  key.export({ format: 'der', type: 'spki' }).subarray(-32)

describe('public keys', () => {
  it('reads the one-line form, bare base64 and a PEM, all to the same 32 bytes', () => {
    const { publicKey } = pair()
    const bytes = raw(publicKey)
    expect(parsePublicKey(formatPublicKey(bytes))).toEqual(bytes)
    expect(parsePublicKey(` ${bytes.toString('base64')}\n`)).toEqual(bytes)
    expect(parsePublicKey(publicKey.export({ format: 'pem', type: 'spki' }).toString())).toEqual(bytes)
  })

  it.each([
    ['ed25519:', /expected "ed25519:<base64>"/],
    ['ed25519:not base64!', /expected "ed25519:<base64>"/],
    ['ed25519:AAAA', /3 bytes after base64 decoding, expected 32/],
    ['-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----', /not a readable PEM public key/],
  ])('refuses %j clearly', (text, expected) => {
    expect(() => parsePublicKey(text)).toThrow(expected)
  })

  it('refuses a PEM of another algorithm, naming it', () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    expect(() => parsePublicKey(publicKey.export({ format: 'pem', type: 'spki' }).toString())).toThrow(
      /holds a ec key, not an Ed25519 one/,
    )
  })

  it('key ids and fingerprints are stable digests of the raw key; signatures verify only unchanged', () => {
    const bytes = Buffer.alloc(32, 7)
    expect(keyIdOf(bytes)).toBe('4bb06f8e4e3a7715')
    expect(fingerprintOf(bytes)).toBe('4bb0 6f8e 4e3a 7715 d201 d573 d0aa 4237')
    const { publicKey, privateKey } = pair()
    const data = Buffer.from('manifest')
    const signature = sign(null, data, privateKey)
    expect(verifySignature(raw(publicKey), data, signature)).toBe(true)
    expect(verifySignature(raw(publicKey), Buffer.from('manifesT'), signature)).toBe(false)
    expect(verifySignature(raw(pair().publicKey), data, signature)).toBe(false)
    expect(verifySignature(raw(publicKey), data, signature.subarray(1))).toBe(false)
  })
})
