import { randomBytes } from 'node:crypto';

/**
 * Small random values (nonces, correlation ids) cut from an 8 KiB block of CSPRNG output instead of one OpenSSL
 * call each (each call also checks the pid with a system call): the same bytes, fewer calls, as node's own
 * randomUUID does with its cache. Every value is a copy and each byte is handed out once. Not for keys: those come
 * from randomKey(), a fresh call each time, so no key material ever sits in a shared buffer.
 */
const POOL_BYTES = 8192;
let pool = Buffer.alloc(0);
let poolAt = 0;
export function pooledRandomBytes(n: number): Buffer {
  if (n > 256) return randomBytes(n);
  if (poolAt + n > pool.length) {
    pool = randomBytes(POOL_BYTES);
    poolAt = 0;
  }
  const out = Buffer.from(pool.subarray(poolAt, poolAt + n));
  pool.fill(0, poolAt, poolAt + n);
  poolAt += n;
  return out;
}
