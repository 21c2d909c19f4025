import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The chat page and its three assets, from a fixed allow-list: a URL never becomes a file path, so there is nothing
 * to traverse. The page gets a fresh CSP nonce per response; only Web Chat's injected `<style>` elements use it.
 */

export const PAGE_PATH = '/';
export const ASSET_PATHS = {
  chatJs: '/static/chat.js',
  chatCss: '/static/chat.css',
  webchatJs: '/static/webchat.js',
} as const;

const NONCE_PLACEHOLDER = /__CSP_NONCE__/g;

/**
 * SHA-256 of the empty string. emotion (production build) creates an EMPTY `<style>` element and fills it through
 * CSSOM `insertRule`, which CSP does not govern; only the element itself is checked, against its (empty) content.
 * Web Chat 4.18.1 passes its `nonce` to its own emotion caches but not to react-scroll-to-bottom's (BasicTranscript
 * renders `<ReactScrollToBottomComposer scroller={scroller}>` without it), so that one empty element needs this hash.
 * Allowing an empty style element grants nothing: any element with content must still match the nonce.
 */
export const EMPTY_STYLE_HASH = "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='";

/**
 * Content-Security-Policy of the page. Scripts: only our own files (no inline script, no eval). Styles: our sheet,
 * the `<style>` elements Web Chat creates through emotion (they carry the per-response nonce: Web Chat's `nonce` prop,
 * fed from `document.currentScript.nonce` in chat.js), and empty style elements (see EMPTY_STYLE_HASH).
 * `'unsafe-inline'` is not needed: the Chromium test asserts that the page reports no violation at all.
 */
export function pageCsp(nonce: string): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    `style-src 'self' 'nonce-${nonce}' ${EMPTY_STYLE_HASH}`,
    "connect-src 'self'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "media-src 'none'",
    "frame-src 'none'",
    "worker-src 'none'",
    "manifest-src 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

const COMMON_HEADERS: Record<string, string> = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), payment=()',
};

function findStaticDir(override: string | undefined): string {
  if (override) return resolve(override);
  const here = dirname(fileURLToPath(import.meta.url));
  // Source tree (tsx) and compiled tree (dist/channels/local) both find the repository's web/static.
  const candidates = [join(here, '..', '..', 'web', 'static'), join(here, '..', '..', '..', 'web', 'static')];
  return candidates.find((c) => existsSync(join(c, 'index.html'))) ?? candidates[0]!;
}

/** The package's `exports` hides `dist/`: resolve its main entry and walk up to the package root. */
export function webchatBundlePath(): string {
  const require = createRequire(import.meta.url);
  let dir = dirname(require.resolve('botframework-webchat'));
  for (let i = 0; i < 6; i += 1) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      const parsed = JSON.parse(readFileSync(pkg, 'utf8')) as { name?: unknown };
      if (parsed.name === 'botframework-webchat') return join(dir, 'dist', 'webchat.js');
    }
    dir = dirname(dir);
  }
  throw new Error('botframework-webchat package root not found');
}

interface Asset {
  file: string;
  type: string;
}

export class PageAssets {
  private readonly dir: string;
  private webchat: Promise<{ body: Buffer; etag: string }> | undefined;

  constructor(staticDir?: string) {
    this.dir = findStaticDir(staticDir);
  }

  private readonly assets: Record<string, Asset> = {
    [ASSET_PATHS.chatJs]: { file: 'chat.js', type: 'text/javascript; charset=utf-8' },
    [ASSET_PATHS.chatCss]: { file: 'chat.css', type: 'text/css; charset=utf-8' },
  };

  async servePage(res: ServerResponse): Promise<void> {
    const nonce = randomBytes(16).toString('base64');
    // Read per request: the page is tiny and edits show up without a restart.
    const html = (await readFile(join(this.dir, 'index.html'), 'utf8')).replace(NONCE_PLACEHOLDER, nonce);
    const body = Buffer.from(html, 'utf8');
    res.writeHead(200, {
      ...COMMON_HEADERS,
      'Content-Type': 'text/html; charset=utf-8',
      'Content-Length': String(body.length),
      'Cache-Control': 'no-store',
      'Content-Security-Policy': pageCsp(nonce),
    });
    res.end(body);
  }

  /** Serves an allow-listed asset; returns false for any other path. */
  async serveAsset(path: string, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    if (path === ASSET_PATHS.webchatJs) {
      const { body, etag } = await this.webchatBundle();
      if (req.headers['if-none-match'] === etag) {
        res.writeHead(304, { ...COMMON_HEADERS, ETag: etag, 'Cache-Control': 'no-cache' });
        res.end();
        return true;
      }
      this.send(res, body, 'text/javascript; charset=utf-8', { ETag: etag, 'Cache-Control': 'no-cache' });
      return true;
    }
    const asset = Object.hasOwn(this.assets, path) ? this.assets[path] : undefined;
    if (!asset) return false;
    const body = await readFile(join(this.dir, asset.file));
    this.send(res, body, asset.type, { 'Cache-Control': 'no-cache' });
    return true;
  }

  private send(res: ServerResponse, body: Buffer, type: string, extra: Record<string, string>): void {
    res.writeHead(200, { ...COMMON_HEADERS, ...extra, 'Content-Type': type, 'Content-Length': String(body.length) });
    res.end(body);
  }

  /** 3.9 MB, read once on first request and kept: it only changes with `npm ci`. */
  private webchatBundle(): Promise<{ body: Buffer; etag: string }> {
    this.webchat ??= readFile(webchatBundlePath()).then((body) => ({
      body,
      etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
    }));
    this.webchat.catch(() => {
      this.webchat = undefined;
    });
    return this.webchat;
  }
}
