/**
 * Reading and checking request bodies ourselves, so that every refusal has our generic body (restify's body parser
 * and botbuilder's `process` both put parser or exception text into responses: STACK-NOTES.md).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export const MAX_BODY_BYTES = 262_144;

export class HttpRefusal extends Error {
  constructor(readonly status: number, readonly slug: string) {
    super(slug);
    this.name = 'HttpRefusal';
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store', ...headers });
  res.end(text);
}

export function refuse(res: ServerResponse, status: number, slug: string): void {
  sendJson(res, status, { error: slug });
}

export function isJsonContentType(req: IncomingMessage): boolean {
  const ct = String(req.headers['content-type'] ?? '').toLowerCase();
  return /^application\/(?:[a-z0-9.+-]+\+)?json\s*(?:;|$)/.test(ct);
}

/** Reads at most `limit` bytes; larger bodies are refused with 413 before they are buffered whole. */
export async function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    throw new HttpRefusal(413, 'payload_too_large');
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      req.resume();
      throw new HttpRefusal(413, 'payload_too_large');
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Parses JSON and checks its shape is sane: depth <= maxDepth, at most maxNodes values, no prototype-polluting keys.
 * JSON.parse itself is safe against `__proto__`, but activities travel through code that merges objects.
 */
export function parseJsonStrict(buf: Buffer, opts: { maxDepth?: number; maxNodes?: number } = {}): unknown {
  let value: unknown;
  try {
    value = JSON.parse(buf.toString('utf8'));
  } catch {
    throw new HttpRefusal(400, 'bad_request');
  }
  const maxDepth = opts.maxDepth ?? 32;
  let nodes = (opts.maxNodes ?? 20_000) - 1;
  if (nodes < 0) throw new HttpRefusal(400, 'bad_request');
  // Every value counts as a node and sits one level below its container; only containers are walked further.
  const objects: object[] = [];
  const depths: number[] = [];
  if (value && typeof value === 'object') { objects.push(value); depths.push(0); }
  while (objects.length) {
    const v = objects.pop()!;
    const depth = depths.pop()! + 1;
    const children: unknown[] = Array.isArray(v) ? v : [];
    if (!Array.isArray(v)) {
      for (const k of Object.keys(v)) {
        if (FORBIDDEN_KEYS.has(k)) throw new HttpRefusal(400, 'bad_request');
        children.push((v as Record<string, unknown>)[k]);
      }
    }
    if (children.length === 0) continue;
    nodes -= children.length;
    if (nodes < 0 || depth > maxDepth) throw new HttpRefusal(400, 'bad_request');
    for (const x of children) if (x && typeof x === 'object') { objects.push(x); depths.push(depth); }
  }
  return value;
}
