/**
 * Versioned AEAD envelope for everything stored at rest.
 *
 * Layout (then base64): version (1 byte) | kid length (1 byte) | kid (utf8) | nonce (24) | ciphertext || tag.
 * Associated data = "tl-env" | version | kid | storage key: a value copied to another key, or re-labelled with
 * another key id, does not open (CR-4). Every failure is the same `ERR_CRYPTO_DECRYPT` (jose-style vagueness).
 */
import { GuardError } from '../errors.js';
import { aeadOpen, aeadSeal, randomNonce, AEAD_NONCE_BYTES, AEAD_TAG_BYTES } from './sodium.js';

export const ENVELOPE_VERSION = 1;
const AD_PREFIX = Buffer.from('tl-env\u0000', 'utf8');

export interface EnvelopeHeader { version: number; kid: string }

function associatedData(version: number, kid: string, storageKey: string): Uint8Array {
  const kidBuf = Buffer.from(kid, 'utf8');
  const keyBuf = Buffer.from(storageKey, 'utf8');
  const len = Buffer.alloc(8);
  len.writeUInt32BE(kidBuf.length, 0);
  len.writeUInt32BE(keyBuf.length, 4);
  // Lengths are included so "kid|key" boundaries cannot be shifted between the two fields.
  return Buffer.concat([AD_PREFIX, Buffer.from([version]), len, kidBuf, keyBuf]);
}

export function sealEnvelope(key: Uint8Array, kid: string, storageKey: string, plaintext: Uint8Array): string {
  const kidBuf = Buffer.from(kid, 'utf8');
  if (kidBuf.length === 0 || kidBuf.length > 255) throw new GuardError('ERR_CRYPTO_KEY_UNKNOWN');
  const nonce = randomNonce();
  const ct = aeadSeal(key, nonce, plaintext, associatedData(ENVELOPE_VERSION, kid, storageKey));
  return Buffer.concat([Buffer.from([ENVELOPE_VERSION, kidBuf.length]), kidBuf, nonce, ct]).toString('base64');
}

/** Reads the header without decrypting; the size cap is checked before anything else (CR-6). */
export function readEnvelopeHeader(envelope: string, maxBytes: number): EnvelopeHeader & { bytes: Buffer } {
  if (typeof envelope !== 'string' || envelope.length > Math.ceil((maxBytes * 4) / 3) + 4) {
    throw new GuardError(typeof envelope === 'string' ? 'ERR_CRYPTO_ENVELOPE_TOO_LARGE' : 'ERR_CRYPTO_DECRYPT');
  }
  const bytes = Buffer.from(envelope, 'base64');
  if (bytes.length < 2) throw new GuardError('ERR_CRYPTO_DECRYPT');
  const version = bytes[0]!;
  const kidLen = bytes[1]!;
  if (version !== ENVELOPE_VERSION || kidLen === 0 || bytes.length < 2 + kidLen + AEAD_NONCE_BYTES + AEAD_TAG_BYTES) {
    throw new GuardError('ERR_CRYPTO_DECRYPT');
  }
  const kid = bytes.subarray(2, 2 + kidLen).toString('utf8');
  return { version, kid, bytes };
}

export function openEnvelope(key: Uint8Array, header: EnvelopeHeader & { bytes: Buffer }, storageKey: string): Uint8Array {
  const { bytes, version, kid } = header;
  const kidLen = bytes[1]!;
  const nonce = bytes.subarray(2 + kidLen, 2 + kidLen + AEAD_NONCE_BYTES);
  const ct = bytes.subarray(2 + kidLen + AEAD_NONCE_BYTES);
  try {
    return aeadOpen(key, nonce, ct, associatedData(version, kid, storageKey));
  } catch (cause) {
    throw new GuardError('ERR_CRYPTO_DECRYPT', { cause });
  }
}
