/**
 * POST /api/directline/token (issue 8 item 2; SECURITY-CHECKLIST IMP-3) against a loopback stub of the Direct Line
 * token API: the secret goes only to Direct Line, the token is bound to a user id the server made, origins are
 * checked, requests are rate limited and every failure is generic.
 */
import { expect } from 'chai';
import { startApp, type RunningApp } from '../support/app.js';
import { startDirectLine } from './support/stubs.js';
import { loadConfig, ConfigError } from '../../config.js';
import { testEnv } from '../support/app.js';

const SECRET = 'direct-line-secret-for-tests-abcdef0123456789';
const ORIGIN = 'https://www.bank.example';

async function ask(url: string, headers: Record<string, string> = { origin: ORIGIN }) {
  const res = await fetch(`${url}/api/directline/token`, { method: 'POST', headers });
  const text = await res.text();
  return { status: res.status, text, headers: res.headers, body: (() => { try { return JSON.parse(text) as Record<string, unknown>; } catch { return undefined; } })() };
}

describe('Direct Line token endpoint', function () {
  this.timeout(20_000);
  let dl: Awaited<ReturnType<typeof startDirectLine>>;
  let bot: RunningApp;
  before(async () => {
    dl = await startDirectLine(SECRET);
    bot = await startApp({ DIRECTLINE_SECRET: SECRET, DIRECTLINE_BASE_URL: dl.url, DIRECTLINE_TRUSTED_ORIGINS: `${ORIGIN},https://m.bank.example`, DIRECTLINE_TOKEN_RATE_PER_MINUTE: '5' });
  });
  after(async () => { await bot?.stop(); await dl?.close(); });
  beforeEach(() => { dl.calls.length = 0; });

  it('exchanges the secret for a token bound to a fresh dl_ user id of our making', async () => {
    const r = await ask(bot.url);
    expect(r.status).to.equal(200);
    expect(r.body).to.have.keys(['token', 'conversationId', 'expiresIn', 'userId']);
    expect(r.body!.userId).to.match(/^dl_[0-9a-f]{32}$/);
    expect(r.body!.token).to.equal(`dl-token-for-${String(r.body!.userId)}`);
    expect(r.headers.get('access-control-allow-origin')).to.equal(ORIGIN);
    expect(r.headers.get('cache-control')).to.equal('no-store');
    expect(r.text).not.to.include(SECRET);
    expect(dl.calls).to.have.length(1);
    const sent = JSON.parse(dl.calls[0]!.body) as { user: { id: string }; trustedOrigins: string[] };
    expect(dl.calls[0]!.headers.authorization).to.equal(`Bearer ${SECRET}`);
    expect(sent.user.id).to.equal(r.body!.userId);
    expect(sent.trustedOrigins).to.deep.equal([ORIGIN, 'https://m.bank.example']);
    const second = await ask(bot.url, { origin: 'https://m.bank.example' });
    expect(second.body!.userId).to.match(/^dl_/).and.not.equal(r.body!.userId);
  });

  it('ignores any user id the page proposes', async () => {
    const res = await fetch(`${bot.url}/api/directline/token`, { method: 'POST', headers: { origin: ORIGIN, 'content-type': 'application/json' }, body: JSON.stringify({ user: { id: 'dl_victim' }, userId: 'dl_victim' }) });
    const body = await res.json() as { userId: string };
    expect(body.userId).not.to.equal('dl_victim');
    expect(JSON.parse(dl.calls[0]!.body).user.id).not.to.equal('dl_victim');
  });

  it('refuses an origin outside the trusted list, and a missing origin, without calling Direct Line', async () => {
    for (const headers of [{ origin: 'https://evil.example' }, {} as Record<string, string>, { origin: 'null' }]) {
      const r = await ask(bot.url, headers);
      expect(r.status).to.equal(403);
      expect(r.body).to.deep.equal({ error: 'forbidden' });
      expect(r.headers.get('access-control-allow-origin')).to.equal(null);
    }
    expect(dl.calls).to.have.length(0);
  });

  it('answers a CORS preflight for trusted origins only', async () => {
    const ok = await fetch(`${bot.url}/api/directline/token`, { method: 'OPTIONS', headers: { origin: ORIGIN, 'access-control-request-method': 'POST' } });
    expect(ok.status).to.equal(204);
    expect(ok.headers.get('access-control-allow-origin')).to.equal(ORIGIN);
    const bad = await fetch(`${bot.url}/api/directline/token`, { method: 'OPTIONS', headers: { origin: 'https://evil.example' } });
    expect(bad.status).to.equal(403);
  });

  it('rate limits per client address with a generic 429', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await ask(bot.url)).status);
    // Earlier tests in this block already used part of this minute's budget (5 per address).
    expect(statuses).to.include(429);
    const limited = await ask(bot.url);
    expect(limited.status).to.equal(429);
    expect(limited.body).to.deep.equal({ error: 'too_many_requests' });
    expect(limited.headers.get('retry-after')).to.equal('60');
    const metrics = await bot.app.metrics.text();
    expect(metrics).to.match(/trustline_directline_tokens_total\{outcome="rate_limited",instance="[^"]+"\} [1-9]/);
  });

  describe('upstream failures', () => {
    for (const [name, opts] of [['an error status', { status: 500 }], ['a malformed answer', { body: { token: 42 } }]] as const) {
      it(`answers 503 with a generic body on ${name}, logging neither secret nor token`, async () => {
        const bad = await startDirectLine(SECRET, opts);
        const b = await startApp({ DIRECTLINE_SECRET: SECRET, DIRECTLINE_BASE_URL: bad.url, DIRECTLINE_TRUSTED_ORIGINS: ORIGIN });
        try {
          const r = await ask(b.url);
          expect(r.status).to.equal(503);
          expect(r.body).to.deep.equal({ error: 'unavailable' });
          expect(bad.calls).to.have.length(1);
          expect(b.logs.text()).not.to.include(SECRET);
          expect(b.logs.events()).to.include('http.directline.upstream_failed');
        } finally { await b.stop(); await bad.close(); }
      });
    }
    it('answers 503 when Direct Line is unreachable', async () => {
      const b = await startApp({ DIRECTLINE_SECRET: SECRET, DIRECTLINE_BASE_URL: 'http://127.0.0.1:9', DIRECTLINE_TRUSTED_ORIGINS: ORIGIN });
      try {
        const r = await ask(b.url);
        expect(r.status).to.equal(503);
        expect(r.body).to.deep.equal({ error: 'unavailable' });
      } finally { await b.stop(); }
    });
  });

  it('is not mounted without a secret', async () => {
    const b = await startApp();
    try { expect((await ask(b.url)).status).to.equal(404); } finally { await b.stop(); }
  });

  describe('configuration', () => {
    const prodBase = () => testEnv({
      TRUSTLINE_PROFILE: 'production', CONSENT_PRESET: undefined, MicrosoftAppId: 'a', MicrosoftAppPassword: 'b',
      REDIS_URL: 'rediss://redis.internal:6380', KEYSTORE_REDIS_URL: 'rediss://keys.internal:6380', REDIS_USERNAME: 'trustline', REDIS_PASSWORD: 'p', KEYSTORE_REDIS_PASSWORD: 'q',
      DIRECTLINE_SECRET: SECRET, DIRECTLINE_TRUSTED_ORIGINS: ORIGIN,
    });
    const err = (env: Record<string, string | undefined>) => { try { loadConfig(env); } catch (e) { if (e instanceof ConfigError) return e; throw e; } throw new Error('expected ConfigError'); };
    it('accepts Microsoft regional endpoints in production', () => {
      for (const u of ['https://directline.botframework.com', 'https://europe.directline.botframework.com']) {
        expect(loadConfig({ ...prodBase(), DIRECTLINE_BASE_URL: u }).config.ops.directLine!.baseUrl).to.equal(u);
      }
    });
    it('refuses to send the secret anywhere but Bot Framework or a loopback stub', () => {
      expect(err({ ...prodBase(), DIRECTLINE_BASE_URL: 'https://directline.evil.example' }).settings).to.include('DIRECTLINE_BASE_URL');
      expect(err(testEnv({ DIRECTLINE_SECRET: SECRET, DIRECTLINE_BASE_URL: 'http://10.0.0.5:8080' })).settings).to.include('DIRECTLINE_BASE_URL');
    });
    it('refuses a loopback Direct Line stub in production without the test phrase', () => {
      expect(err({ ...prodBase(), DIRECTLINE_BASE_URL: 'http://127.0.0.1:1234' }).settings).to.include('TRUSTLINE_ALLOW_TEST_STUBS');
    });
    it('requires trusted origins in production, https only', () => {
      expect(err({ ...prodBase(), DIRECTLINE_TRUSTED_ORIGINS: undefined }).settings).to.deep.equal(['DIRECTLINE_TRUSTED_ORIGINS']);
      expect(err({ ...prodBase(), DIRECTLINE_TRUSTED_ORIGINS: 'http://www.bank.example' }).settings).to.deep.equal(['DIRECTLINE_TRUSTED_ORIGINS']);
      expect(err({ ...prodBase(), DIRECTLINE_TRUSTED_ORIGINS: 'https://www.bank.example/path' }).settings).to.deep.equal(['DIRECTLINE_TRUSTED_ORIGINS']);
    });
  });
});
