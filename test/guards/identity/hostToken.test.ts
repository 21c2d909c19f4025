import { expect } from 'chai';
import { createServer, type Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import { SignJWT, exportJWK, generateKeyPair, type CryptoKey, type JWK } from 'jose';
import { HostTokenVerifier, MemoryReplayGuard, HOST_IDENTITY_EVENT } from '../../../guards/identity/hostToken.js';
import { startApp, turn, type RunningApp } from '../../support/app.js';
import { TestClock } from './support.js';

const ISS = 'https://shop.example/login';
const AUD = 'trustline-bot';

describe('signed host-page identity (jose, loopback JWKS)', function () {
  this.timeout(30000);
  let server: Server;
  let jwksUrl: string;
  let key: CryptoKey;
  let otherKey: CryptoKey;
  let jwksFetches = 0;
  const clock = new TestClock(Date.parse('2026-11-29T12:00:00Z'));

  before(async () => {
    otherKey = (await generateKeyPair('ES256', { extractable: true })).privateKey;
    const kp = await generateKeyPair('ES256', { extractable: true });
    key = kp.privateKey;
    const jwk: JWK = { ...(await exportJWK(kp.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
    server = createServer((_req, res) => { jwksFetches++; res.setHeader('content-type', 'application/json'); res.end(JSON.stringify({ keys: [jwk] })); });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    jwksUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}/jwks.json`;
  });
  after(async () => { server.closeAllConnections(); await new Promise((r) => server.close(r)); });

  const settings = () => ({ issuer: ISS, audience: AUD, jwksUrl, algorithms: ['ES256'], clockSkewSeconds: 30, maxAgeSeconds: 300, subjectClaim: 'sub', userClaim: 'tl_uid' });
  async function token(o: { sub?: string; uid?: string; iss?: string; aud?: string; iat?: number; exp?: number; jti?: string; signer?: CryptoKey; alg?: string; kid?: string } = {}) {
    const now = Math.floor(clock.now() / 1000);
    return new SignJWT({ tl_uid: o.uid ?? 'dl_user' })
      .setProtectedHeader({ alg: o.alg ?? 'ES256', kid: o.kid ?? 'k1' })
      .setSubject(o.sub ?? 'C100001').setIssuer(o.iss ?? ISS).setAudience(o.aud ?? AUD)
      .setIssuedAt(o.iat ?? now).setExpirationTime(o.exp ?? now + 120).setJti(o.jti ?? randomUUID())
      .sign(o.signer ?? key);
  }

  describe('HostTokenVerifier', () => {
    const v = () => new HostTokenVerifier(settings(), new MemoryReplayGuard(() => clock.now()), { now: () => clock.now() });
    it('accepts a valid token bound to this channel user and fetches the key set from the JWKS URL', async () => {
      expect(await v().verify(await token(), 'dl_user')).to.deep.equal({ ok: true, customerNumber: 'C100001' });
      expect(jwksFetches).to.be.greaterThan(0);
    });
    const bad: [string, () => Promise<unknown>, string][] = [
      ['another channel user', () => token(), 'user_mismatch'],
      ['a wrong issuer', () => token({ iss: 'https://evil.example' }), 'invalid'],
      ['a wrong audience', () => token({ aud: 'someone-else' }), 'invalid'],
      ['an expired token (beyond the skew)', () => token({ exp: Math.floor(clock.now() / 1000) - 31 }), 'invalid'],
      ['a token issued too long ago', () => token({ iat: Math.floor(clock.now() / 1000) - 3600, exp: Math.floor(clock.now() / 1000) + 60 }), 'invalid'],
      ['a signature by another key', () => token({ signer: otherKey }), 'invalid'],
      ['alg none', async () => `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ sub: 'C100001', tl_uid: 'dl_user', iss: ISS, aud: AUD })).toString('base64url')}.`, 'invalid'],
      ['not a JWT', async () => 'hello', 'invalid'],
      ['not a string', async () => ({ token: 1 }), 'invalid'],
      ['a subject that is not a customer number', () => token({ sub: 'avery@example.com' }), 'invalid'],
    ];
    for (const [name, make, reason] of bad) {
      it(`refuses ${name}`, async () => {
        const r = await v().verify(await make(), name === 'another channel user' ? 'dl_other' : 'dl_user');
        expect(r).to.deep.equal({ ok: false, reason });
      });
    }
    it('accepts a token id once (replay refused)', async () => {
      const verifier = v();
      const t = await token();
      expect((await verifier.verify(t, 'dl_user')).ok).to.equal(true);
      expect(await verifier.verify(t, 'dl_user')).to.deep.equal({ ok: false, reason: 'replayed' });
    });
  });

  describe('through the whole bot', () => {
    let a: RunningApp;
    before(async () => {
      a = await startApp({ HOST_IDENTITY_ISSUER: ISS, HOST_IDENTITY_AUDIENCE: AUD, HOST_IDENTITY_JWKS_URL: jwksUrl, HOST_IDENTITY_ALGORITHMS: 'ES256' }, { clock });
    });
    after(async () => { await a.stop(); });

    const event = (value: unknown, o: { conversationId: string; userId: string }) => turn(a.url, undefined, { ...o, channelId: 'webchat', locale: 'en-US', type: 'event', extra: { name: HOST_IDENTITY_EVENT, value } });

    it('binds the verified subject to that conversation: order status without a code, nowhere else', async () => {
      const o = { conversationId: 'host-1', userId: 'dl_user' };
      expect((await event({ token: await token() }, o)).texts.join()).to.match(/signed in from our website/);
      const r = await turn(a.url, 'where is my order?', { ...o, channelId: 'webchat', locale: 'en-US' });
      expect(r.texts.join('\n')).to.match(/TL-10001/);
      const elsewhere = await turn(a.url, 'where is my order?', { conversationId: 'host-2', userId: 'dl_user', channelId: 'webchat', locale: 'en-US' });
      expect(elsewhere.texts.join('\n')).to.not.match(/TL-10001/);
    });

    it('refuses a token for another user id, and never stores or logs the token', async () => {
      const o = { conversationId: 'host-3', userId: 'dl_intruder' };
      const tok = await token({ uid: 'dl_user' });
      expect((await event({ token: tok }, o)).texts.join()).to.match(/could not confirm your sign-in/);
      const r = await turn(a.url, 'where is my order?', { ...o, channelId: 'webchat', locale: 'en-US' });
      expect(r.texts.join('\n')).to.match(/confirm who you are/);
      expect(a.logs.text()).to.not.include(tok.slice(0, 40));
      const { entries } = await a.app.transcripts.list(a.app.pseudonyms.conversationOwner('webchat', o.conversationId));
      expect(JSON.stringify(entries)).to.not.include(tok.slice(0, 40));
    });
  });
});
