/**
 * The ONLY importer of libsodium (DESIGN.md section 2). Everything else uses these few functions.
 * libsodium-wrappers must be awaited once (`initSodium`) before any call.
 */
import sodium from 'libsodium-wrappers';
import { randomBytes } from 'node:crypto';
import { pooledRandomBytes } from './random.js';

let ready = false;

export async function initSodium(): Promise<void> {
  await sodium.ready;
  ready = true;
}

function assertReady(): void {
  if (!ready) throw new Error('sodium not initialised');
}

export const AEAD_KEY_BYTES = 32;
export const AEAD_NONCE_BYTES = 24;
export const AEAD_TAG_BYTES = 16;

/**
 * Nonces come from node:crypto: libsodium-wrappers' randombytes_buf costs ~150 µs a call on Node (STACK-NOTES.md),
 * node's randomBytes is the same CSPRNG class (OpenSSL) at a fraction of the cost.
 */
export function randomNonce(): Uint8Array {
  return pooledRandomBytes(AEAD_NONCE_BYTES);
}


export function randomKey(): Uint8Array {
  return randomBytes(AEAD_KEY_BYTES);
}

/** XChaCha20-Poly1305 (IETF). Returns ciphertext || tag. */
export function aeadSeal(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, ad: Uint8Array): Uint8Array {
  assertReady();
  return sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(plaintext, ad, null, nonce, key);
}

/** Throws on any failure; callers translate to one generic error code. */
export function aeadOpen(key: Uint8Array, nonce: Uint8Array, ciphertext: Uint8Array, ad: Uint8Array): Uint8Array {
  assertReady();
  return sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(null, ciphertext, ad, nonce, key);
}

export function wipe(buf: Uint8Array): void {
  assertReady();
  sodium.memzero(buf);
}
