/**
 * The staff pages and their assets, from a fixed allow-list (a URL never becomes a path). Strict CSP: scripts and
 * styles only from our own files, no inline code at all, no framing, forms only to ourselves; every response is
 * `no-store` so nothing a console showed stays in a cache.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const STAFF_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self'",
  "font-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "object-src 'none'",
].join('; ');

const HEADERS: Record<string, string> = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), payment=(), clipboard-read=()',
  'Cache-Control': 'no-store',
  'Content-Security-Policy': STAFF_CSP,
};

const PAGES = { login: 'login.html', agent: 'agent.html', compliance: 'compliance.html', retention: 'retention.html' } as const;
const ASSETS: Record<string, string> = {
  'login.js': 'text/javascript; charset=utf-8',
  'agent.js': 'text/javascript; charset=utf-8',
  'staff.css': 'text/css; charset=utf-8',
  'compliance.js': 'text/javascript; charset=utf-8',
  'retention.js': 'text/javascript; charset=utf-8',
};

function staticDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, '..', 'web', 'staff'), join(here, '..', '..', 'web', 'staff')];
  return candidates.find((c) => existsSync(join(c, 'agent.html'))) ?? candidates[0]!;
}

export class StaffPages {
  readonly #dir = staticDir();

  async servePage(name: keyof typeof PAGES, res: ServerResponse): Promise<void> {
    const body = await readFile(join(this.#dir, PAGES[name]));
    res.writeHead(200, { ...HEADERS, 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': String(body.length) });
    res.end(body);
  }

  async serveAsset(file: string, res: ServerResponse): Promise<boolean> {
    if (!Object.hasOwn(ASSETS, file)) return false;
    const body = await readFile(join(this.#dir, file));
    res.writeHead(200, { ...HEADERS, 'Content-Type': ASSETS[file]!, 'Content-Length': String(body.length) });
    res.end(body);
    return true;
  }
}
