/**
 * Per-request correlation ids and in-flight accounting (issue 8, operations).
 *
 * Every HTTP request runs inside an AsyncLocalStorage context holding its correlation id; the logger's mixin reads
 * it, so every log line written while serving the request (guards, dialogs, storage) carries `rid` without threading
 * a logger through every call. The id comes from an upstream `X-Request-Id` only when it has a safe shape (a proxy
 * or gateway id); otherwise it is random. It is echoed in the `X-Request-Id` response header.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { pooledRandomBytes } from '../guards/crypto/random.js';
import type { IncomingMessage, ServerResponse } from 'node:http';

interface RequestContext { rid: string }

const storage = new AsyncLocalStorage<RequestContext>();

/** Upstream ids we accept: 8-64 characters of a conservative alphabet (no CR/LF, no quotes, no spaces). */
const SAFE_ID = /^[A-Za-z0-9._:-]{8,64}$/;

export function requestIdFrom(req: IncomingMessage): string {
  const upstream = req.headers['x-request-id'];
  if (typeof upstream === 'string' && SAFE_ID.test(upstream)) return upstream;
  return pooledRandomBytes(8).toString('hex');
}

/** The current request's correlation id, if any (for the logger's mixin). */
export function currentRequestId(): string | undefined {
  return storage.getStore()?.rid;
}

export function runWithRequestId<T>(rid: string, fn: () => T): T {
  return storage.run({ rid }, fn);
}

/** Fields the logger adds to every line: the correlation id while a request is served. */
export function requestLogMixin(): Record<string, string> {
  const rid = currentRequestId();
  return rid ? { rid } : {};
}

/**
 * Counts requests in flight so shutdown can wait for them (finish in-flight turns) and refuse new ones meanwhile.
 */
export class InFlight {
  #count = 0;
  #draining = false;
  #waiters: (() => void)[] = [];

  get count(): number { return this.#count; }
  get draining(): boolean { return this.#draining; }

  track(res: ServerResponse): void {
    this.#count++;
    let done = false;
    const end = () => {
      if (done) return;
      done = true;
      this.#count--;
      if (this.#count === 0) for (const w of this.#waiters.splice(0)) w();
    };
    res.once('finish', end);
    res.once('close', end);
  }

  /** Stops accepting new work and resolves true once nothing is in flight, or false after `timeoutMs`. */
  drain(timeoutMs: number): Promise<boolean> {
    this.#draining = true;
    if (this.#count === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      timer.unref();
      this.#waiters.push(() => { clearTimeout(timer); resolve(true); });
    });
  }
}
