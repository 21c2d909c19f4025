/**
 * Channel authentication in the production profile (issue 8 item 1; SECURITY-CHECKLIST BF-1, BF-2, ST-3): every
 * request to /api/messages is checked by botbuilder's JWT validation against a loopback stand-in for Microsoft's
 * OpenID metadata. A refused request gets 401 with a generic body and the bot sends nothing to the connector.
 */
import { expect } from 'chai';
import { SignJWT } from 'jose';
import { startApp, type RunningApp } from '../support/app.js';
import { startRedis, type RedisProcess } from '../support/redis.js';
import { startChannelTokenAuthority, startConnector, unsignedToken, BF_ISSUER } from './support/stubs.js';
import { TEST_STUBS_PHRASE } from '../../config.js';

const APP_ID = '11111111-2222-3333-4444-555555555555';
const REDIS_PASSWORD = 'acl-password-for-tests-0123456789';

let seq = 0;
function activity(serviceUrl: string, o: { channelId?: string; expectReplies?: boolean; text?: string } = {}) {
  return {
    type: 'message', id: `a-${++seq}`, channelId: o.channelId ?? 'webchat', serviceUrl,
    conversation: { id: `conv-auth-${seq}` }, from: { id: `dl_user${seq}` }, recipient: { id: APP_ID }, text: o.text ?? 'hello',
    ...(o.expectReplies ? { deliveryMode: 'expectReplies' } : {}),
  };
}

async function post(url: string, body: unknown, authorization?: string) {
  const res = await fetch(`${url}/api/messages`, {
    method: 'POST', headers: { 'content-type': 'application/json', ...(authorization !== undefined ? { authorization } : {}) }, body: JSON.stringify(body),
  });
  return { status: res.status, text: await res.text() };
}

const settle = () => new Promise((r) => setTimeout(r, 150));

describe('production channel authentication (JWT, loopback OpenID metadata)', function () {
  this.timeout(30_000);
  let authority: Awaited<ReturnType<typeof startChannelTokenAuthority>>;
  let connector: Awaited<ReturnType<typeof startConnector>>;
  let redis: RedisProcess;
  let bot: RunningApp;

  before(async () => {
    authority = await startChannelTokenAuthority();
    connector = await startConnector();
    redis = await startRedis(['--user', 'trustline', 'on', `>${REDIS_PASSWORD}`, '~*', '&*', '+@all', '--user', 'default', 'off']);
    bot = await startApp({
      TRUSTLINE_PROFILE: 'production', CONSENT_PRESET: undefined,
      MicrosoftAppId: APP_ID, MicrosoftAppPassword: 'app-password-not-used-by-these-tests',
      REDIS_URL: redis.url, KEYSTORE_REDIS_URL: redis.url, REDIS_USERNAME: 'trustline', REDIS_PASSWORD,
      TEST_BF_OPENID_METADATA_URL: authority.metadataUrl, TRUSTLINE_ALLOW_TEST_STUBS: TEST_STUBS_PHRASE,
    });
  });
  after(async () => {
    await bot?.stop();
    await Promise.all([authority?.close(), connector?.close(), redis?.stop()]);
  });
  beforeEach(() => { connector.calls.length = 0; });

  const refusals: [string, (serviceUrl: string) => Promise<string | undefined>][] = [
    ['no token', async () => undefined],
    ['an empty bearer', async () => 'Bearer '],
    ['a bad signature (right kid, another key)', (s) => authority.sign({ appId: APP_ID, serviceUrl: s, key: authority.keys.stranger })],
    ['alg none', async (s) => `Bearer ${unsignedToken({ iss: BF_ISSUER, aud: APP_ID, serviceurl: s, exp: Math.floor(Date.now() / 1000) + 600 })}`],
    ['alg none without a kid', async (s) => `Bearer ${unsignedToken({ iss: BF_ISSUER, aud: APP_ID, serviceurl: s }, '')}`],
    ['HS256 keyed with the public key (algorithm confusion)', async (s) => {
      const { exportSPKI } = await import('jose');
      const pem = await exportSPKI(authority.keys.mainPublic);
      return new SignJWT({ serviceurl: s }).setProtectedHeader({ alg: 'HS256', kid: 'k-main' }).setIssuer(BF_ISSUER).setAudience(APP_ID).setIssuedAt().setExpirationTime('5m').sign(new TextEncoder().encode(pem));
    }],
    ['the wrong audience', (s) => authority.sign({ appId: APP_ID, serviceUrl: s, aud: '99999999-0000-0000-0000-000000000000' })],
    ['the wrong issuer', (s) => authority.sign({ appId: APP_ID, serviceUrl: s, iss: 'https://sts.example.com/' })],
    ['an expired token (beyond the 5 minute clock skew)', (s) => authority.sign({ appId: APP_ID, serviceUrl: s, expSecondsFromNow: -600 })],
    ['a serviceurl claim that differs from the activity', () => authority.sign({ appId: APP_ID, serviceUrl: 'https://attacker.example.com/' })],
    ['a key not endorsed for this channel', (s) => authority.sign({ appId: APP_ID, serviceUrl: s, key: authority.keys.teamsOnly, kid: 'k-teams' })],
    ['an unknown key id', (s) => authority.sign({ appId: APP_ID, serviceUrl: s, kid: 'k-unknown' })],
    ['a non-Bearer scheme', async (s) => (await authority.sign({ appId: APP_ID, serviceUrl: s })).replace(/^/, 'Basic ')],
  ];

  for (const [name, make] of refusals) {
    it(`refuses ${name}: 401, generic body, nothing sent anywhere`, async () => {
      let header = await make(connector.url);
      if (header !== undefined && !/^(Bearer|Basic) /.test(header)) header = `Bearer ${header}`;
      const r = await post(bot.url, activity(connector.url), header);
      expect(r.status).to.equal(401);
      expect(JSON.parse(r.text)).to.deep.equal({ error: 'unauthorized' });
      await settle();
      expect(connector.calls, 'the bot must not call the connector').to.have.length(0);
    });
  }

  it('accepts a valid token and answers the turn', async () => {
    const token = await authority.sign({ appId: APP_ID, serviceUrl: connector.url });
    const r = await post(bot.url, activity(connector.url, { expectReplies: true }), `Bearer ${token}`);
    expect(r.status).to.equal(200);
    const acts = (JSON.parse(r.text) as { activities: { type: string; text?: string }[] }).activities;
    expect(acts.filter((a) => a.type === 'message').length).to.be.greaterThan(0);
    expect(authority.metadataCalls()).to.be.greaterThan(0);
  });

  it('refuses the emulator channel in production even with a valid token', async () => {
    const token = await authority.sign({ appId: APP_ID, serviceUrl: connector.url });
    const r = await post(bot.url, activity(connector.url, { channelId: 'emulator' }), `Bearer ${token}`);
    expect(r.status).to.equal(401);
    expect(JSON.parse(r.text)).to.deep.equal({ error: 'unauthorized' });
    await settle();
    expect(connector.calls).to.have.length(0);
  });

  it('keeps tokens out of the log and counts refusals in the metrics', async () => {
    const token = await authority.sign({ appId: APP_ID, serviceUrl: 'https://attacker.example.com/' });
    await post(bot.url, activity(connector.url), `Bearer ${token}`);
    expect(bot.logs.text()).not.to.include(token.split('.')[2]!);
    const text = await bot.app.metrics.text();
    expect(text).to.match(/trustline_turns_total\{outcome="unauthorized",instance="[^"]+"\} [1-9]/);
  });

  it('never reports ready while test stubs are configured in production', async () => {
    const r = await fetch(`${bot.url}/readyz`);
    expect(r.status).to.equal(503);
    expect(bot.app.isReady()).to.equal(true); // warm-up is done: only the stubs keep it out of service
  });

  describe('control: the connector assertion can fail', () => {
    it('with auth off (development), the same kind of request does reach the connector', async () => {
      const dev = await startApp();
      try {
        const r = await post(dev.url, activity(connector.url));
        expect(r.status).to.equal(200);
        const until = Date.now() + 5000;
        while (connector.calls.length === 0 && Date.now() < until) await new Promise((res) => setTimeout(res, 20));
        expect(connector.calls.length).to.be.greaterThan(0);
        expect(connector.calls[0]!.url).to.match(/^\/v3\/conversations\//);
      } finally {
        await dev.stop();
      }
    });
  });
});
