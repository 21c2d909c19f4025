/**
 * Per-request correlation ids and in-flight accounting (issue 8, operations).
 *
 * Every HTTP request gets a correlation id, echoed in the `X-Request-Id` response header. The id comes from an
 * upstream `X-Request-Id` only when it has a safe shape (a proxy or gateway id); otherwise it is random.
 *
 * The id travels explicitly, not through AsyncLocalStorage: it is attached to the request and to the activity it
 * carries (a WeakMap, so nothing outlives them), and the lines written while serving the request take it from
 * whatever they hold (`ridField(req | activity | turnContext)`): the HTTP layer, every guard, the turn error
 * handler, the staff routes and the services they call. On Node 20, AsyncLocalStorage switches on promise hooks
 * for every promise in the process; measured on the guarded turn that cost 10 to 15 % of the bot's CPU per turn
 * (`npm run bench`, issue 2), for a field only a few log lines need.
 */
import { pooledRandomBytes } from '../guards/crypto/random.js';
import type { IncomingMessage, ServerResponse } from 'node:http';

export { requestIdOf, ridField, tagRequestId } from '../guards/log/correlation.js';

/** Upstream ids we accept: 8-64 characters of a conservative alphabet (no CR/LF, no quotes, no spaces). */
const SAFE_ID = /^[A-Za-z0-9._:-]{8,64}$/;

export function requestIdFrom(req: IncomingMessage): string {
  const upstream = req.headers['x-request-id'];
  if (typeof upstream === 'string' && SAFE_ID.test(upstream)) return upstream;
  return pooledRandomBytes(8).toString('hex');
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
