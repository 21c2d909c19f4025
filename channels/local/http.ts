import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * HTTP plumbing for the local channel: generic JSON answers, body reading with a hard cap, and the request checks
 * (host allow-list, same-origin, loopback). Nothing here ever echoes request content back (DESIGN.md invariant 7).
 */

/** Generic error bodies: a fixed word, never the reason in prose and never anything taken from the request. */
export type HttpErrorWord =
  | 'bad_request'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'rate_limited'
  | 'unavailable'
  | 'internal';

/** Raised by the helpers below; the route wrapper turns it into `{ error }` with the status. */
export class HttpRefusal extends Error {
  constructor(
    readonly status: number,
    readonly word: HttpErrorWord,
    readonly headers: Record<string, string> = {},
  ) {
    super(word);
    this.name = 'HttpRefusal';
  }
}

/** Headers on every JSON answer: nothing cached, nothing sniffed, nothing framed or executed. */
const JSON_HEADERS: Record<string, string> = {
  'Content-Type': 'application/json; charset=utf-8',
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
};

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const payload = JSON.stringify(body);
  res.writeHead(status, { ...JSON_HEADERS, ...headers, 'Content-Length': String(Buffer.byteLength(payload)) });
  res.end(payload);
}

export function sendRefusal(res: ServerResponse, refusal: HttpRefusal): void {
  sendJson(res, refusal.status, { error: refusal.word }, refusal.headers);
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** `application/json` with any parameters (`; charset=utf-8`); anything else is 415. */
export function requireJsonContentType(req: IncomingMessage): void {
  const ct = header(req, 'content-type');
  const media = ct?.split(';')[0]?.trim().toLowerCase();
  if (media !== 'application/json') throw new HttpRefusal(415, 'unsupported_media_type');
}

/**
 * Reads the body as JSON, at most `limit` bytes (413 above, checked on the declared length first and again while
 * reading). An empty body is `undefined`. If a server-level body parser already consumed the stream, its result is used.
 */
export async function readJsonBody(req: IncomingMessage & { body?: unknown }, limit: number): Promise<unknown> {
  if (req.body !== undefined) return parseAlreadyRead(req.body, limit);
  const declared = header(req, 'content-length');
  if (declared !== undefined && (!/^\d{1,12}$/.test(declared) || Number(declared) > limit)) {
    req.resume();
    throw new HttpRefusal(413, 'payload_too_large', { Connection: 'close' });
  }
  const raw = await new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (err: HttpRefusal | null, value?: Buffer): void => {
      if (done) return;
      done = true;
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('aborted', onError);
      if (err) {
        req.resume();
        reject(err);
      } else resolve(value ?? Buffer.alloc(0));
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) finish(new HttpRefusal(413, 'payload_too_large', { Connection: 'close' }));
      else chunks.push(chunk);
    };
    const onEnd = (): void => finish(null, Buffer.concat(chunks));
    const onError = (): void => finish(new HttpRefusal(400, 'bad_request', { Connection: 'close' }));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('aborted', onError);
  });
  return parseJson(raw);
}

function parseAlreadyRead(body: unknown, limit: number): unknown {
  if (typeof body === 'string' || Buffer.isBuffer(body)) {
    if (Buffer.byteLength(body) > limit) throw new HttpRefusal(413, 'payload_too_large');
    return parseJson(Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8'));
  }
  return body;
}

function parseJson(raw: Buffer): unknown {
  if (raw.length === 0) return undefined;
  try {
    return JSON.parse(raw.toString('utf8')) as unknown;
  } catch {
    // The parser's message quotes the input: it is dropped, not logged and not returned.
    throw new HttpRefusal(400, 'bad_request');
  }
}

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];

/**
 * The hostname of the `Host` header must be one we serve as. A DNS-rebinding page (evil.example resolving to
 * 127.0.0.1) then cannot use the channel even though its `Origin` and `Host` agree.
 */
export function hostOf(req: IncomingMessage): string {
  const host = header(req, 'host');
  if (!host || host.length > 255) throw new HttpRefusal(400, 'bad_request');
  try {
    return new URL(`http://${host}`).hostname.toLowerCase();
  } catch {
    throw new HttpRefusal(400, 'bad_request');
  }
}

export function allowedHostnames(extra: readonly string[], connectorBase: string): Set<string> {
  const names = new Set([...LOOPBACK_NAMES, ...extra.map((h) => h.toLowerCase())]);
  try {
    names.add(new URL(connectorBase).hostname.toLowerCase());
  } catch {
    // A malformed base is the wiring's problem; the loopback names still work.
  }
  return names;
}

export function requireAllowedHost(req: IncomingMessage, allowed: Set<string>): void {
  if (!allowed.has(hostOf(req))) throw new HttpRefusal(403, 'forbidden');
}

/**
 * Same-origin check for state-changing browser calls. A browser always sends `Origin` on a cross-origin POST and
 * `Sec-Fetch-Site` on every fetch; when present, they must say "this very origin". Non-browser clients (tests,
 * curl) send neither and are let through: the session cookie (SameSite=Strict) is still required where it matters.
 */
export function requireSameOrigin(req: IncomingMessage, secure: boolean): void {
  const site = header(req, 'sec-fetch-site');
  if (site !== undefined && site !== 'same-origin') throw new HttpRefusal(403, 'forbidden');
  const origin = header(req, 'origin');
  if (origin === undefined) return;
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    throw new HttpRefusal(403, 'forbidden');
  }
  const expectedProtocol = secure ? 'https:' : 'http:';
  const host = header(req, 'host')?.toLowerCase();
  if (parsed.protocol !== expectedProtocol || !host || parsed.host.toLowerCase() !== host) {
    throw new HttpRefusal(403, 'forbidden');
  }
}

/** True for 127.0.0.0/8 and ::1, including the IPv4-mapped form. Proxy headers are deliberately not consulted. */
export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const a = address.startsWith('::ffff:') ? address.slice(7) : address;
  return a === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(a);
}

/** The connector is the bot calling itself: no browser ever has a reason to call it. */
export function looksLikeBrowser(req: IncomingMessage): boolean {
  return header(req, 'origin') !== undefined || header(req, 'sec-fetch-site') !== undefined || header(req, 'sec-fetch-mode') !== undefined;
}

export function headerValue(req: IncomingMessage, name: string): string | undefined {
  return header(req, name);
}
