/**
 * Outbound calls of a production-profile bot over TLS (issue 8 item 7): the bot runs as a child process whose Bot
 * Framework token authority (TEST_BF_LOGIN_URL) and connector (the activity's serviceUrl) are HTTPS loopback stubs
 * with certificates of a test CA, trusted only through NODE_EXTRA_CA_CERTS. A normal reply, an agent's message
 * relayed to the customer (proactive) and a breach notice (proactive, after four-eyes approval) each get a token
 * from the authority by the client-credentials grant with the configured app id and password, and reach the
 * connector with `Authorization: Bearer <that token>`. A connector whose certificate the test CA did not sign
 * receives nothing (verification is on), and the bot logs a code, not a stack, a token or a secret.
 */
import { expect } from 'chai';
import { rmSync } from 'node:fs';
import { startRedis, type RedisProcess } from '../support/redis.js';
import { testEnv } from '../support/app.js';
import { startChannelTokenAuthority } from './support/stubs.js';
import { makeTestCa, type TestCa } from './support/tlsRedis.js';
import { startTlsConnector, startTokenAuthority } from './support/azureStubs.js';
import { spawnBot, type BotProcess } from './support/botProcess.js';
import { StaffClient, totpSecretOf, type StaffUser } from '../handoff/support.js';
import { TEST_STUBS_PHRASE } from '../../config.js';
import type { StaffRole } from '../../staff/rbac.js';
import { cli } from '../support/cli.js';

const APP_ID = '33333333-4444-5555-6666-777777777777';
const APP_PASSWORD = 'bot-app-password-0123456789-abcdef';
const REDIS_PASSWORD = 'acl-password-for-outbound-tests-0123';


async function until<T>(what: string, fn: () => T | undefined, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('outbound calls over TLS (production, token authority and connector as HTTPS loopback stubs)', function () {
  this.timeout(150_000);
  let ca: TestCa;
  let rogueCa: TestCa;
  let authority: Awaited<ReturnType<typeof startTokenAuthority>>;
  let connector: Awaited<ReturnType<typeof startTlsConnector>>;
  let rogue: Awaited<ReturnType<typeof startTlsConnector>>;
  let channel: Awaited<ReturnType<typeof startChannelTokenAuthority>>;
  let redis: RedisProcess;
  let env: Record<string, string | undefined>;
  let bot: BotProcess;
  let seq = 0;
  const t0 = new Date(Date.now() - 1000).toISOString();

  before(async () => {
    ca = makeTestCa('bf-test');
    rogueCa = makeTestCa('rogue');
    authority = await startTokenAuthority(ca, { id: APP_ID, password: APP_PASSWORD });
    connector = await startTlsConnector(ca);
    rogue = await startTlsConnector(rogueCa);
    channel = await startChannelTokenAuthority();
    redis = await startRedis(['--user', 'trustline', 'on', `>${REDIS_PASSWORD}`, '~*', '&*', '+@all', '--user', 'default', 'off']);
    env = testEnv({
      TRUSTLINE_PROFILE: 'production', CONSENT_PRESET: undefined, OTP_OUTBOX_FILE: undefined, INSTANCE_NAME: 'tls-test',
      MicrosoftAppId: APP_ID, MicrosoftAppPassword: APP_PASSWORD,
      REDIS_URL: redis.url, KEYSTORE_REDIS_URL: redis.url, REDIS_USERNAME: 'trustline', REDIS_PASSWORD,
      TEST_BF_OPENID_METADATA_URL: channel.metadataUrl, TEST_BF_LOGIN_URL: authority.loginUrl, TRUSTLINE_ALLOW_TEST_STUBS: TEST_STUBS_PHRASE,
      RETENTION_SWEEP_MINUTES: '0', NODE_EXTRA_CA_CERTS: ca.caFile,
    });
    bot = await spawnBot(env);
    if (!bot.url) throw new Error(`bot did not start: ${bot.stderr()}`);
  });
  after(async () => {
    await bot?.stop();
    await Promise.all([authority?.close(), connector?.close(), rogue?.close(), channel?.close(), redis?.stop()]);
    for (const c of [ca, rogueCa]) if (c) rmSync(c.dir, { recursive: true, force: true });
  });

  /** A customer message as the channel sends it: normal delivery, so replies go to `serviceUrl`. */
  async function say(conversation: string, text: string, serviceUrl = connector.url, channelId = 'webchat'): Promise<number> {
    const token = await channel.sign({ appId: APP_ID, serviceUrl });
    const teams = channelId === 'msteams' ? { channelData: { tenant: { id: '72f988bf-0000-0000-0000-2d7cd011db47' } }, from: { id: `29:${conversation}`, aadObjectId: '00000000-0000-0000-0000-00000000abcd' } } : {};
    const res = await fetch(`${bot.url}/api/messages`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ type: 'message', id: `tls-${++seq}`, channelId, serviceUrl, locale: 'en-US', conversation: { id: conversation }, from: { id: `dl_${conversation}` }, recipient: { id: APP_ID }, text, ...teams }),
    });
    await res.text();
    return res.status;
  }
  const postedTo = (conv: string, re: RegExp) => connector.posted(conv).find((p) => re.test(String(p.activity.text ?? '')));
  /** Every token request was a client-credentials grant with our app id and password, over TLS to the stub. */
  const expectIssuedTo = (authorization: string | undefined) => {
    expect(authority.issued.length).to.be.greaterThan(0);
    expect(authority.issued.map((tk) => `Bearer ${tk}`)).to.include(authorization);
  };

  async function staff(roles: StaffRole[]): Promise<StaffClient> {
    const email = `staff${++seq}@bank.example`;
    const password = `correct horse battery ${seq} staple`;
    const r = await cli(['staff', 'add', '--email', email, '--role', roles.join(','), '--password-stdin'], env, `${password}\n`);
    expect(r.code, r.stderr).to.equal(0);
    const user: StaffUser = { id: /account: (st_\S+)/.exec(r.stdout)![1]!, email, password, secret: totpSecretOf(/^otpauth:\S+$/m.exec(r.stdout)![0]), roles };
    const client = new StaffClient(bot.url!);
    await client.login(user, Date.now());
    return client;
  }

  it('a normal reply: token from the authority (client credentials), posted to the connector with it', async () => {
    expect(await say('tls-reply', 'hello')).to.equal(200);
    const reply = await until('the reply at the connector', () => connector.posted('tls-reply')[0]);
    expectIssuedTo(reply.authorization);
    const tokenCall = authority.calls.find((c) => c.method === 'POST' && c.url.split('?')[0] === '/botframework.com/oauth2/v2.0/token')!;
    const form = new URLSearchParams(tokenCall.body);
    expect([form.get('grant_type'), form.get('client_id'), form.get('scope')]).to.deep.equal(['client_credentials', APP_ID, 'https://api.botframework.com/.default']);
    expect(authority.calls.some((c) => c.url === '/botframework.com/v2.0/.well-known/openid-configuration')).to.equal(true);
  });

  it('a Microsoft Teams message: the reply reaches the Teams connector over TLS with the authority\'s token', async () => {
    expect(await say('a:tls-teams', 'hello', connector.url, 'msteams')).to.equal(200);
    const reply = await until('the Teams reply at the connector', () => connector.posted('a:tls-teams')[0]);
    expectIssuedTo(reply.authorization);
    // The token is cached by the bot's credentials: a second reply needs no new grant.
    const grants = authority.issued.length;
    expect(await say('a:tls-teams', 'hello again', connector.url, 'msteams')).to.equal(200);
    await until('the second Teams reply', () => connector.posted('a:tls-teams')[1]);
    expect(authority.issued.length).to.equal(grants);
  });

  it('an agent relay to the customer (proactive) carries the authority\'s token', async () => {
    await say('tls-relay', 'hello');
    await say('tls-relay', 'Keep my conversation');
    await say('tls-relay', 'I want to talk to a person please');
    await until('the queue confirmation', () => postedTo('tls-relay', /queue/));
    const agent = await staff(['agent']);
    const q = await agent.req('GET', '/api/staff/queue');
    expect(q.status, q.text).to.equal(200);
    const items = q.json.items as { id: string; reason: string }[];
    expect(items).to.have.length(1);
    const id = items[0]!.id;
    expect((await agent.req('POST', `/api/staff/conversations/${id}/claim`)).status).to.equal(200);
    expect((await agent.req('POST', `/api/staff/conversations/${id}/messages`, { text: 'Hello, this is Dana from support.' })).status).to.equal(200);
    const relayed = await until('the relayed agent message', () => postedTo('tls-relay', /Dana from support/));
    expect((relayed.activity.from as { role?: string }).role).to.equal('agent');
    expectIssuedTo(relayed.authorization);
  });

  it('a breach notice (proactive, after the second approval) carries the authority\'s token', async () => {
    await say('tls-breach', 'hello');
    await say('tls-breach', 'Keep my conversation');
    await say('tls-breach', 'where is my order');
    await until('the answer', () => (connector.posted('tls-breach').length >= 3 ? true : undefined));
    const until_ = new Date(Date.now() + 1000).toISOString();
    const [a, b] = [await staff(['admin']), await staff(['admin'])];
    const inc = await a.req('POST', '/api/staff/incidents', { title: 'Transcript export bucket exposed', detectedAt: t0, awareAt: t0, dataClasses: ['transcripts'] });
    expect(inc.status, inc.text).to.equal(201);
    const id = String(inc.json.id);
    const sc = await a.req('POST', `/api/staff/incidents/${id}/scope`, { from: t0, to: until_, classes: ['transcripts'] });
    expect(sc.status, sc.text).to.equal(200);
    const p = await a.req('POST', `/api/staff/incidents/${id}/actions`, { kind: 'notify' });
    expect(p.status, p.text).to.equal(201);
    const ok = await b.req('POST', `/api/staff/actions/${String(p.json.id)}/approve`);
    expect(ok.json, ok.text).to.include({ status: 'executed' });
    expect((ok.json.result as { sent: number; failed: number }).failed).to.equal(0);
    const notice = await until('the breach notice', () => postedTo('tls-breach', /^Important notice/));
    expect(String(notice.activity.text)).to.contain(id);
    expectIssuedTo(notice.authorization);
  });

  it('a connector whose certificate the test CA did not sign gets nothing; the bot logs a code, no stack or secret', async () => {
    const logFrom = bot.stdout().length;
    expect(await say('tls-rogue', 'hello', rogue.url)).to.be.oneOf([200, 202, 500]);
    await until('the failed turn in the log', () => (/"bot\.turn\.(error|apology_failed)"/.test(bot.stdout().slice(logFrom)) ? true : undefined));
    await new Promise((r) => setTimeout(r, 300));
    expect(rogue.calls, 'no HTTP request may pass an unverified TLS handshake').to.have.length(0);
    expect(rogue.tlsErrors.length, 'the bot did try, and refused the certificate').to.be.greaterThan(0);
    const log = bot.stdout().slice(logFrom) + bot.stderr();
    const lines = bot.stdout().slice(logFrom).split('\n').filter(Boolean).map((l) => { try { return JSON.parse(l) as Record<string, unknown>; } catch { return {}; } });
    const err = lines.find((l) => l.event === 'bot.turn.error')!;
    expect(err, log).to.not.equal(undefined);
    // The TLS failure's own code, under err (the top-level `code` field is censored by the log's redaction paths).
    expect(err.err).to.deep.equal({ kind: 'Error', code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
    expect(err.ref).to.match(/^[0-9a-f]{12}$/);
    expect(log).not.to.match(/\n\s+at |"stack"/);
    expect(log).not.to.include(APP_PASSWORD);
    for (const tk of authority.issued) expect(log).not.to.include(tk);
  });
});
