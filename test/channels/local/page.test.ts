import { readFile } from 'node:fs/promises';
import { expect } from 'chai';
import { EMPTY_STYLE_HASH, webchatBundlePath } from '../../../channels/local/page.js';
import { request, startHarness, type Harness } from './harness.js';

function cspDirectives(header: string | string[] | undefined): Map<string, string> {
  const map = new Map<string, string>();
  for (const part of String(header).split(';')) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) map.set(name, values.join(' '));
  }
  return map;
}

describe('local channel page and assets', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h.close();
  });

  it('serves the page with a strict CSP: own scripts only, styles by nonce, nothing framed, no base or objects', async () => {
    const res = await request('GET', `${h.baseUrl}/`);
    expect(res.status).to.equal(200);
    expect(res.headers['content-type']).to.equal('text/html; charset=utf-8');
    expect(res.headers['x-content-type-options']).to.equal('nosniff');
    expect(res.headers['referrer-policy']).to.equal('no-referrer');
    const csp = cspDirectives(res.headers['content-security-policy']);
    const nonce = /'nonce-([A-Za-z0-9+/=]+)'/.exec(csp.get('style-src') ?? '')?.[1];
    expect(nonce).to.be.a('string').with.length.greaterThan(20);
    expect(csp.get('default-src')).to.equal("'self'");
    expect(csp.get('script-src')).to.equal("'self'");
    expect(csp.get('style-src')).to.equal(`'self' 'nonce-${nonce}' ${EMPTY_STYLE_HASH}`);
    expect(csp.get('connect-src')).to.equal("'self'");
    expect(csp.get('img-src')).to.equal("'self' data: blob:");
    expect(csp.get('frame-ancestors')).to.equal("'none'");
    expect(csp.get('object-src')).to.equal("'none'");
    expect(csp.get('base-uri')).to.equal("'none'");
    for (const directive of csp.values()) expect(directive).to.not.match(/unsafe-(inline|eval)|\*/);
    // The nonce in the header is the one handed to chat.js.
    expect(res.text).to.include(`<script src="/static/chat.js" nonce="${nonce}" defer></script>`);
    expect(res.text).to.include('<h1>Trustline — local development chat</h1>');
    expect(res.text).to.include('Clear this conversation');
  });

  it('uses a fresh nonce per response', async () => {
    const a = await request('GET', `${h.baseUrl}/`);
    const b = await request('GET', `${h.baseUrl}/`);
    expect(a.headers['content-security-policy']).to.not.equal(b.headers['content-security-policy']);
    expect(a.text).to.not.include('__CSP_NONCE__');
  });

  it('has no inline script and no inline event handler anywhere on the page', async () => {
    const { text } = await request('GET', `${h.baseUrl}/`);
    const scripts = [...text.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)];
    expect(scripts).to.have.length(2);
    for (const [, attrs, body] of scripts) {
      expect(attrs).to.match(/\ssrc="\/static\/[a-z]+\.js"/);
      expect(body?.trim()).to.equal('');
    }
    expect(text).to.not.match(/\son[a-z]+\s*=/i);
    expect(text).to.not.match(/javascript:/i);
    expect(text).to.not.match(/\sstyle\s*=/i);
  });

  it('serves chat.js, chat.css and the Web Chat bundle with their content types and nosniff', async () => {
    const cases = [
      ['/static/chat.js', 'text/javascript; charset=utf-8'],
      ['/static/chat.css', 'text/css; charset=utf-8'],
      ['/static/webchat.js', 'text/javascript; charset=utf-8'],
    ] as const;
    for (const [path, type] of cases) {
      const res = await request('GET', `${h.baseUrl}${path}`);
      expect(res.status, path).to.equal(200);
      expect(res.headers['content-type'], path).to.equal(type);
      expect(res.headers['x-content-type-options'], path).to.equal('nosniff');
    }
  });

  it('serves the Web Chat bundle from the installed package, with an ETag that revalidates to 304', async () => {
    const res = await request('GET', `${h.baseUrl}/static/webchat.js`);
    const onDisk = await readFile(webchatBundlePath(), 'utf8');
    expect(res.text.length).to.equal(onDisk.length);
    expect(res.text).to.include('renderWebChat');
    const etag = String(res.headers['etag']);
    const again = await request('GET', `${h.baseUrl}/static/webchat.js`, { headers: { 'If-None-Match': etag } });
    expect(again.status).to.equal(304);
    expect(again.text).to.equal('');
  });

  it('serves nothing outside the allow-list (traversal, other files, encoded paths)', async () => {
    const paths = [
      '/static/../package.json',
      '/static/%2e%2e/package.json',
      '/static/..%2fpackage.json',
      '/static/index.html',
      '/static/chat.js.map',
      '/static/CHAT.JS',
      '/static/webchat-es5.js',
      '/web/static/chat.js',
      '/index.html',
      '/package.json',
    ];
    for (const path of paths) {
      const res = await request('GET', `${h.baseUrl}${path}`);
      expect(res.status, path).to.be.within(400, 499);
      expect(res.text, path).to.not.include('"dependencies"');
    }
  });

  it('offers no CORS to other origins', async () => {
    const res = await request('OPTIONS', `${h.baseUrl}/local/activities`, {
      headers: { Origin: 'http://evil.example', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type' },
    });
    expect(res.headers['access-control-allow-origin']).to.equal(undefined);
    expect(res.headers['access-control-allow-credentials']).to.equal(undefined);
  });
});
