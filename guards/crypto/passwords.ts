/**
 * Password hashing for staff accounts: Argon2id through libsodium's crypto_pwhash (the sumo build of the same
 * libsodium the rest of guards/crypto uses; WebAssembly, no native addon to build or to crash at load). A hash costs
 * ~100-200 ms of CPU, so it runs in a worker thread and never blocks the turns of the event loop.
 * Parameters: OWASP's argon2id minimum (m = 19 MiB, t = 2, p = 1) with the memory doubled.
 */
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';

export const PWHASH_OPSLIMIT = 2;
export const PWHASH_MEMLIMIT = 19_456 * 2 * 1024;
export const MAX_PASSWORD_BYTES = 1024;

const sumoPath = createRequire(import.meta.url).resolve('libsodium-wrappers-sumo');

// The worker is CommonJS eval code: nothing to compile, and the same in the sources (tsx) and the build (dist).
const WORKER = `
const { parentPort } = require('node:worker_threads');
const sodium = require(${JSON.stringify(sumoPath)});
const ready = sodium.ready;
parentPort.on('message', async (m) => {
  await ready;
  try {
    if (m.op === 'hash') parentPort.postMessage({ id: m.id, ok: true, value: sodium.crypto_pwhash_str(m.password, m.ops, m.mem) });
    else parentPort.postMessage({ id: m.id, ok: true, value: sodium.crypto_pwhash_str_verify(m.hash, m.password) });
  } catch (e) {
    parentPort.postMessage({ id: m.id, ok: false });
  }
});`;

let worker: Worker | undefined;
let seq = 0;
const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

function call(message: Record<string, unknown>): Promise<unknown> {
  if (!worker) {
    worker = new Worker(WORKER, { eval: true });
    worker.on('message', (m: { id: number; ok: boolean; value?: unknown }) => {
      const p = pending.get(m.id);
      if (!p) return;
      pending.delete(m.id);
      // An idle worker never keeps the process alive (CLI commands exit when done).
      if (pending.size === 0) worker?.unref();
      if (m.ok) p.resolve(m.value);
      else p.reject(new Error('password hashing failed'));
    });
    worker.on('error', () => {
      for (const p of pending.values()) p.reject(new Error('password hashing failed'));
      pending.clear();
      worker = undefined;
    });
  }
  const id = ++seq;
  worker.ref();
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    worker!.postMessage({ ...message, id });
  });
}

function clip(password: string): string {
  // Bytes, not characters, are bounded: a 1 KiB cap keeps hashing cost independent of what an attacker sends.
  const b = Buffer.from(password, 'utf8');
  return b.length <= MAX_PASSWORD_BYTES ? password : b.subarray(0, MAX_PASSWORD_BYTES).toString('utf8');
}

/** `$argon2id$v=19$m=...,t=...,p=1$salt$hash` */
export async function hashPassword(password: string): Promise<string> {
  return (await call({ op: 'hash', password: clip(password), ops: PWHASH_OPSLIMIT, mem: PWHASH_MEMLIMIT })) as string;
}

/** False for a wrong password or a malformed hash; never throws for bad input. */
export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  if (typeof hash !== 'string' || !hash.startsWith('$argon2id$') || typeof password !== 'string') return false;
  try {
    return (await call({ op: 'verify', hash, password: clip(password) })) === true;
  } catch {
    return false;
  }
}

/** Ends the worker (tests, shutdown). */
export async function closePasswordWorker(): Promise<void> {
  const w = worker;
  worker = undefined;
  if (w) await w.terminate();
}
