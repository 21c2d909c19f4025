import { expect } from 'chai';
import { startApp, turn, type RunningApp } from '../support/app.js';
import { startRedis, dumpRedis, type RedisProcess } from '../support/redis.js';

/** Canary values that a customer might type, and ids that hold personal data (Teams/SMS ids can be phone numbers). */
const CANARY = {
  email: 'canary.person+tl@example.org',
  card: '4111 1111 1111 1111',
  iban: 'DE89 3704 0044 0532 0130 00',
  conversationId: 'conv-canary-+4915550199887',
  userId: 'user-canary-jane.doe@example.com',
};

describe('privacy at rest: Redis after real conversations', () => {
  let redis: RedisProcess;
  let a: RunningApp;
  const bodies: string[] = [];
  before(async () => {
    redis = await startRedis();
    a = await startApp({ REDIS_URL: redis.url });
    const o = { conversationId: CANARY.conversationId, userId: CANARY.userId };
    await turn(a.url, undefined, { ...o, type: 'conversationUpdate', extra: { membersAdded: [{ id: CANARY.userId }] } });
    for (const text of [`hi, my email is ${CANARY.email}`, `card ${CANARY.card} declined`, `refund to ${CANARY.iban}`, 'I want to return something', 'yes', 'Wrong size', 'yesterday', '2']) {
      const r = await turn(a.url, text, o);
      expect(r.status).to.equal(200);
      bodies.push(JSON.stringify(r.body));
    }
    for (let i = 0; i < 5; i++) await turn(a.url, `hello ${i}`, { conversationId: `other-${i}`, userId: `other-user-${i}` });
  });
  after(async () => { await a.stop(); await redis.stop(); });

  it('stores every value as an encrypted envelope and no plaintext', async () => {
    const dump = await dumpRedis(await redis.client());
    expect(dump.size).to.be.greaterThan(0);
    for (const [k, v] of dump) {
      for (const canary of Object.values(CANARY)) {
        expect(v, k).to.not.include(canary);
        expect(v, k).to.not.include(canary.replace(/\s/g, ''));
      }
      expect(v, k).to.not.match(/Wrong size|return|dialogState/);
    }
    const states = [...dump].filter(([k]) => k.startsWith('tl:state:'));
    expect(states.length).to.be.greaterThan(5);
    for (const [, v] of states) {
      const h = JSON.parse(v) as { v: string; e: string };
      const inner = JSON.parse(h.v) as { env?: string };
      expect(Object.keys(inner)).to.deep.equal(['env']);
      expect(inner.env).to.match(/^[A-Za-z0-9+/]+=*$/);
    }
  });

  it('shows no raw conversation or user id in any key name', async () => {
    const keys = [...(await dumpRedis(await redis.client())).keys()];
    for (const k of keys) {
      // Every key is a data-class prefix plus, at most, a keyed hash or random id in braces (the cluster hash tag).
      expect(k).to.match(/^tl:[a-z:]+(\{[A-Za-z0-9_-]+\}(:[a-z]+)?)?$/);
      for (const id of [CANARY.conversationId, CANARY.userId, 'other-0', 'other-user-0', 'webchat', 'test/']) expect(k).to.not.include(id);
    }
  });

  it('puts a TTL on every key', async () => {
    const c = await redis.client();
    for (const k of (await dumpRedis(c)).keys()) expect(await c.ttl(k), k).to.be.greaterThan(0);
  });

  it('keeps a redacted transcript of the conversation, with findings but no values', async () => {
    const { entries, unreadable } = await a.app.transcripts.list(a.app.pseudonyms.conversationOwner('test', CANARY.conversationId));
    expect(unreadable).to.equal(0);
    expect(entries.length).to.be.greaterThan(10);
    const text = JSON.stringify(entries);
    for (const canary of Object.values(CANARY)) expect(text).to.not.include(canary);
    expect(entries.map((e) => e.text)).to.include.members(['hi, my email is [EMAIL_1]', 'card [CREDIT_CARD_1] declined', 'refund to [IBAN_1]']);
    expect(entries.flatMap((e) => e.findings.map((f) => f.type))).to.include.members(['EMAIL', 'CREDIT_CARD', 'IBAN']);
  });

  it('never returns a typed canary in an HTTP body (the reply addresses the caller\'s own ids, nothing else)', () => {
    for (const b of bodies) for (const canary of [CANARY.email, CANARY.card, CANARY.iban]) expect(b).to.not.include(canary);
  });

  it('keeps canaries and ids out of the logs', () => {
    const text = a.logs.text();
    expect(a.logs.lines.length).to.be.greaterThan(0);
    for (const canary of Object.values(CANARY)) expect(text).to.not.include(canary);
  });
});
