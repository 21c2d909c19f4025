import { expect } from 'chai';
import { startApp, turn, type RunningApp } from '../support/app.js';
import { startRedis, dumpRedis, type RedisProcess } from '../support/redis.js';
import { startSmsStub, startSmtp } from '../guards/identity/support.js';
import { SubjectOwnerResolver } from '../../guards/identity/subjectIndex.js';
import { readEnvelopeHeader } from '../../guards/crypto/envelope.js';
import { ownerOfKid } from '../../guards/crypto/dataKeys.js';

/**
 * Canary (DESIGN.md invariant 1, OTP-7, LOG-1): a customer verifies by email and by SMS through real SMTP and SMS
 * stubs, on Redis; afterwards the codes, the email address and the phone number are in no Redis value, no log line
 * and no transcript. Also checks the at-rest layout of the identity keys (prefixes, TTLs, hash tags) and that the
 * conversation state is re-sealed under the subject's key after verification.
 */
describe('privacy: identity canaries (codes, email, phone) through SMTP, SMS and Redis', function () {
  this.timeout(60000);
  const EMAIL = 'avery@example.com';
  const PHONE = '+15555550101';
  const PHONE_TYPED = '+1 555 555 0101';
  let redis: RedisProcess;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let sms: Awaited<ReturnType<typeof startSmsStub>>;
  let a: RunningApp;
  const codes: string[] = [];
  const o = { conversationId: 'canary-identity-conv', userId: 'canary-identity-user', locale: 'en-US' };
  const o2 = { conversationId: 'canary-identity-conv-2', userId: 'canary-identity-user-2', locale: 'en-US' };
  let stateKidOwners: { before: string; after: string } = { before: '', after: '' };

  async function stateOwner(): Promise<string> {
    const c = await redis.client();
    const dump = await dumpRedis(c);
    const key = `tl:state:{${a.app.pseudonyms.hash('state', `test/conversations/${o.conversationId}/`)}}`;
    const h = JSON.parse(dump.get(key)!) as { v: string };
    return ownerOfKid(readEnvelopeHeader((JSON.parse(h.v) as { env: string }).env, 1 << 20).kid);
  }

  before(async () => {
    redis = await startRedis();
    smtp = await startSmtp();
    sms = await startSmsStub('sms-token-for-tests');
    a = await startApp({
      REDIS_URL: redis.url, SMTP_URL: smtp.url, SMTP_FROM: 'no-reply@trustline.example', SMTP_REQUIRE_TLS: 'false',
      SMS_API_URL: sms.url, SMS_API_TOKEN: 'sms-token-for-tests', CONSENT_PRESET: undefined,
    });
    const say = async (text: string, oo = o) => { const r = await turn(a.url, text, oo); expect(r.status).to.equal(200); return r.texts.join('\n'); };
    await say('where is my order?');
    await say('Keep my conversation');
    stateKidOwners.before = await stateOwner();
    await say(`it's ${EMAIL}`);
    await a.app.identity.delivery.idle();
    codes.push(smtp.lastCode(EMAIL)!);
    expect(await say(`the code is ${codes[0]}`)).to.match(/TL-10001/);
    await say('hello again');
    stateKidOwners.after = await stateOwner();
    // A second conversation verifies by SMS.
    await say('where is my order?', o2);
    await say('Keep my conversation', o2);
    await say(`my phone is ${PHONE_TYPED}`, o2);
    await a.app.identity.delivery.idle();
    codes.push(sms.lastCode()!);
    expect(await say(codes[1]!, o2)).to.match(/TL-10001/);
  });
  after(async () => { await a.stop(); await smtp.stop(); await sms.stop(); await redis.stop(); });

  it('delivered the codes to the contact points on file only', () => {
    expect(codes[0]).to.match(/^[0-9]{6}$/);
    expect(codes[1]).to.match(/^[0-9]{6}$/);
    expect(smtp.messages.map((m) => m.to)).to.deep.equal([EMAIL]);
    expect(sms.messages.map((m) => m.to)).to.deep.equal([PHONE]);
  });

  it('keeps the codes, the email and the phone number out of every Redis value and key', async () => {
    const dump = await dumpRedis(await redis.client());
    expect(dump.size).to.be.greaterThan(5);
    const canaries = [...codes, EMAIL, PHONE, PHONE_TYPED, PHONE.slice(1), 'C100001', o.conversationId, o.userId];
    for (const [k, v] of dump) {
      for (const c of canaries) {
        expect(k, k).to.not.include(c);
        expect(v, k).to.not.include(c);
      }
    }
  });

  it('keeps them out of the logs', () => {
    const text = a.logs.text();
    for (const c of [...codes, EMAIL, PHONE, PHONE_TYPED]) expect(text).to.not.include(c);
  });

  it('keeps them out of the transcripts, where the typed code is a fixed tag', async () => {
    for (const conv of [o, o2]) {
      const { entries, unreadable } = await a.app.transcripts.list(a.app.pseudonyms.conversationOwner('test', conv.conversationId));
      expect(unreadable).to.equal(0);
      expect(entries.length).to.be.greaterThan(3);
      const text = JSON.stringify(entries);
      for (const c of [...codes, EMAIL, PHONE, PHONE_TYPED]) expect(text).to.not.include(c);
      expect(text).to.include('[OTP_CODE]');
    }
  });

  it('uses per-class prefixes with hash tags, and a TTL on every identity key (the audit stream is append-only)', async () => {
    const c = await redis.client();
    const keys = [...(await dumpRedis(c)).keys()];
    for (const prefix of ['tl:otp:', 'tl:idx:s:', 'tl:idx:c:', 'tl:consent:', 'tl:audit']) expect(keys.some((k) => k.startsWith(prefix)), prefix).to.equal(true);
    for (const k of keys.filter((x) => /^tl:(otp|idx|consent|sso):/.test(x))) {
      expect(k).to.match(/^tl:[a-z]+:(?:[a-z]:)?\{[A-Za-z0-9_-]+\}(?::[a-z](?::[A-Za-z0-9_-]+)?)?$/);
      expect(await c.ttl(k), k).to.be.greaterThan(0);
    }
    expect(await c.ttl('tl:audit')).to.equal(-1);
  });

  it('re-seals the conversation state under the subject key after verification (subject index)', async () => {
    expect(stateKidOwners.before).to.match(/^c_/);
    expect(stateKidOwners.after).to.match(/^s_/);
    const link = await a.app.identity.index.lookup('C100001');
    expect(link?.owner).to.equal(stateKidOwners.after);
    const convs = await a.app.identity.index.conversationsOf('C100001');
    expect(convs).to.include(a.app.pseudonyms.conversationOwner('test', o.conversationId));
    expect(convs).to.include(a.app.pseudonyms.conversationOwner('test', o2.conversationId));
    // A fresh resolver (another instance) follows the link from the index.
    const fresh = new SubjectOwnerResolver(a.app.pseudonyms, a.app.identity.index);
    expect(await fresh.mayOpen(`test/conversations/${o.conversationId}/`, stateKidOwners.after)).to.equal(true);
    expect(await fresh.mayOpen(`test/conversations/${o2.conversationId}-x/`, stateKidOwners.after)).to.equal(false);
  });
});
