/**
 * Issue 9 item 2: tampering with the Redis values of every data class, against the whole bot on real Redis.
 * For each class: a bit flipped in the envelope's header, nonce, ciphertext and tag; one customer's value copied onto
 * another's key; the key id relabelled; a 50 MB value. Each answers the fixed fail-closed reply of its flow, appends a
 * `security.*` audit event naming the data class and the pseudonymous owner (the chain still verifies), leaves the
 * bot running (the next valid turn works), and customer B never sees anything of customer A's value.
 */
import { expect } from 'chai';
import type { RedisClientType } from 'redis';
import { startApp, turn, type RunningApp, type TurnOptions } from '../support/app.js';
import { startRedis, type RedisProcess } from '../support/redis.js';
import { verifyChain } from '../../guards/audit/verify.js';
import { linkHash } from '../../guards/dsr/stores.js';
import { SecurityEventLimiter } from '../../guards/crypto/securityEvents.js';
import { CANARY_A, CANARY_B, directoryCopy, say, verifyWith } from '../guards/dsr/support.js';
import { lastOutboxCode, TestClock } from '../guards/identity/support.js';
import { ConnectorStub, createStaff, StaffClient, type StaffUser } from '../handoff/support.js';

type Canary = typeof CANARY_A | typeof CANARY_B;
const MB50 = 50 * 1024 * 1024;
const APOLOGY = /something went wrong on our side.*reference [0-9a-f]{12}/;

type Flip = 'header' | 'nonce' | 'ciphertext' | 'tag';
const FLIPS: Flip[] = ['header', 'nonce', 'ciphertext', 'tag'];

/** Flips one bit of a base64 envelope (version | kidLen | kid | nonce(24) | ciphertext | tag(16)). */
function flip(env: string, where: Flip): string {
  const b = Buffer.from(env, 'base64');
  const k = b[1]!;
  const i = where === 'header' ? 0 : where === 'nonce' ? 2 + k + 3 : where === 'ciphertext' ? 2 + k + 24 + 1 : b.length - 2;
  b[i] = b[i]! ^ 0x80;
  return b.toString('base64');
}

/** The envelope `env` with the key id of `other` (another owner's real key id). */
function relabel(env: string, other: string): string {
  const a = Buffer.from(env, 'base64');
  const b = Buffer.from(other, 'base64');
  const kidB = b.subarray(2, 2 + b[1]!);
  return Buffer.concat([Buffer.from([a[0]!, kidB.length]), kidB, a.subarray(2 + a[1]!)]).toString('base64');
}

interface AuditRow { type: string; object?: string; dataClass?: string; outcome?: string; count?: string }

async function auditRows(a: RunningApp): Promise<AuditRow[]> {
  return (await a.app.audit.read!({ limit: 100_000 })) as AuditRow[];
}

/** Waits (bounded) for a security event of this class and owner; the events are appended in the background. */
async function securityEvent(a: RunningApp, type: string, dataClass: string, owner?: string): Promise<AuditRow> {
  for (let i = 0; i < 150; i++) {
    const hit = (await auditRows(a)).find((e) => e.type === type && e.dataClass === dataClass && (owner === undefined || e.object === owner));
    if (hit) return hit;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`no ${type} audit event for ${dataClass}/${owner ?? '*'}`);
}

async function chainVerifies(a: RunningApp): Promise<void> {
  const key = Buffer.from(a.env.TRUSTLINE_AUDIT_KEY!, 'base64');
  const r = verifyChain(await a.app.audit.entries(), key, { head: await a.app.audit.head() });
  expect(r.ok, JSON.stringify(r.problem)).to.equal(true);
}

function rss(): number { return process.memoryUsage().rss; }
const mb = (n: number) => `${(n / 1024 / 1024).toFixed(0)} MB`;
/** RSS of the bot process (this process: the bot runs in-process) around one 50 MB case, reported in the output. */
async function measured<T>(label: string, fn: () => Promise<T>): Promise<T> {
  global.gc?.();
  const before = rss();
  let peak = before;
  const t = setInterval(() => { peak = Math.max(peak, rss()); }, 5);
  try {
    return await fn();
  } finally {
    clearInterval(t);
    global.gc?.();
    await new Promise((r) => setTimeout(r, 50));
    const after = rss();
    console.log(`      [rss] ${label}: before ${mb(before)}, peak ${mb(peak)}, after ${mb(after)}`);
    // Bounded: one 50 MB reply and its string, never a parse, a decryption or a copy per layer.
    expect(peak - before, 'peak growth').to.be.below(400 * 1024 * 1024);
  }
}

describe('tampering with every data class (issue 9 item 2; CR-3, CR-4, CR-6)', function () {
  this.timeout(120_000);
  // One Redis and one bot per describe: each bot has its own audit key, so each chain is its own.
  let redis: RedisProcess;
  let c: RedisClientType;
  const freshRedis = async () => { redis = await startRedis(); c = await redis.client(); };

  it('rate limit: one audit entry per class and owner per window, a global cap, and the held-back count carried on', () => {
    const l = new SecurityEventLimiter({ windowMs: 1000, maxPerWindow: 2 });
    const d = (owner: string) => ({ code: 'ERR_CRYPTO_DECRYPT', dataClass: 'state' as const, owner });
    expect(l.admit('crypto.tamper', d('c_a'), 0)).to.equal(1);
    expect(l.admit('crypto.tamper', d('c_a'), 10)).to.equal(undefined);
    expect(l.admit('crypto.tamper', d('c_b'), 20)).to.equal(2);
    expect(l.admit('crypto.tamper', d('c_c'), 30)).to.equal(undefined);
    expect(l.admit('crypto.tamper', d('c_a'), 1000)).to.equal(2);
  });

  // ---------------------------------------------------------------------------------------------------------------
  describe('conversation state and the key store (customer turn: the fixed apology)', () => {
    let a: RunningApp;
    const clock = new TestClock(Date.now());
    before(async () => { await freshRedis(); a = await startApp({ REDIS_URL: redis.url }, { clock }); });
    after(async () => { await a?.stop(); await redis?.stop(); });

    const o = (conv: string): TurnOptions => ({ conversationId: conv, userId: `${conv}-user` });
    const stateKey = (conv: string) => `tl:state:{${a.app.pseudonyms.hash('state', `test/conversations/${conv}/`)}}`;
    const ownerOf = (conv: string) => a.app.pseudonyms.conversationOwner('test', conv);
    const keyKey = (conv: string) => `tl:key:{${ownerOf(conv)}}`;
    async function established(conv: string): Promise<void> {
      const r = await turn(a.url, 'I want to return something', o(conv));
      expect(r.texts.join()).to.match(/30 days/);
    }
    const envOf = async (conv: string) => (JSON.parse((await c.hGet(stateKey(conv), 'v'))!) as { env: string }).env;
    const setEnv = (conv: string, env: string) => c.hSet(stateKey(conv), 'v', JSON.stringify({ env }));

    async function failsClosed(conv: string, type: string, dataClass: string): Promise<void> {
      const r = await turn(a.url, 'yes', o(conv));
      expect(r.status).to.equal(200);
      expect(r.texts).to.have.length(1);
      expect(r.texts[0]).to.match(APOLOGY);
      const e = await securityEvent(a, type, dataClass, ownerOf(conv));
      expect(JSON.stringify(e)).to.not.include(conv);
      // Still running: a fresh conversation is served.
      expect((await turn(a.url, 'help', o(`${conv}-next`))).texts.join()).to.match(/where is my order/);
      await chainVerifies(a);
    }

    for (const where of FLIPS) {
      it(`state: a bit flipped in the ${where} -> apology, security.tamper (state), no crash`, async () => {
        const conv = `st-${where}`;
        await established(conv);
        await setEnv(conv, flip(await envOf(conv), where));
        await failsClosed(conv, 'security.tamper', 'state');
      });
    }

    it('state: A\'s value on B\'s key does not open; B sees nothing of A', async () => {
      await established('st-victim');
      await turn(a.url, 'hello', o('st-attacker'));
      await setEnv('st-attacker', await envOf('st-victim'));
      const r = await turn(a.url, 'yes', o('st-attacker'));
      expect(r.texts).to.deep.equal([r.texts[0]]);
      expect(r.texts[0]).to.match(APOLOGY);
      expect(r.texts.join()).to.not.match(/return|30 days|Why would you like/);
      await securityEvent(a, 'security.tamper', 'state', ownerOf('st-attacker'));
      // A is untouched.
      expect((await turn(a.url, 'help', o('st-victim'))).status).to.equal(200);
    });

    it('state: relabelled with another owner\'s key id -> apology, security.tamper', async () => {
      await established('st-relabel-a');
      await established('st-relabel-b');
      await setEnv('st-relabel-a', relabel(await envOf('st-relabel-a'), await envOf('st-relabel-b')));
      await failsClosed('st-relabel-a', 'security.tamper', 'state');
    });

    it('state: a 50 MB value is refused before parsing or decrypting, memory stays bounded', async () => {
      await established('st-50mb');
      await c.hSet(stateKey('st-50mb'), 'v', 'A'.repeat(MB50));
      await measured('state 50 MB', () => failsClosed('st-50mb', 'security.oversize', 'state'));
    });

    it('state: the same tampered value hit again and again is one audit entry (no flooding the chain)', async () => {
      await established('st-flood');
      await setEnv('st-flood', flip(await envOf('st-flood'), 'tag'));
      for (let i = 0; i < 10; i++) expect((await turn(a.url, 'yes', o('st-flood'))).texts[0]).to.match(APOLOGY);
      await securityEvent(a, 'security.tamper', 'state', ownerOf('st-flood'));
      await new Promise((r) => setTimeout(r, 100));
      const n = (await auditRows(a)).filter((e) => e.type === 'security.tamper' && e.object === ownerOf('st-flood')).length;
      expect(n).to.equal(1);
      expect(a.logs.events().filter((e) => e === 'security.crypto.tamper').length).to.be.greaterThanOrEqual(10);
    });

    // The key store: wrapped data keys (a separate Redis in production; here the same one). The unwrapped key is
    // cached for 60 s, so each case moves the clock past that (as another instance would see it).
    const wrappedFlip = (rec: string, where: 'nonce' | 'ciphertext' | 'tag') => {
      const r = JSON.parse(rec) as { wrapped: string };
      const b = Buffer.from(r.wrapped, 'base64');
      const i = where === 'nonce' ? 3 : where === 'ciphertext' ? 24 + 2 : b.length - 2;
      b[i] = b[i]! ^ 0x80;
      return JSON.stringify({ ...r, wrapped: b.toString('base64') });
    };
    const keyCases: [string, (conv: string) => Promise<string>][] = [
      ['a bit flipped in the record (header: master version)', async (conv) => { const r = JSON.parse((await c.get(keyKey(conv)))!) as { mv: string }; return JSON.stringify({ ...r, mv: `${r.mv}x` }); }],
      ['a bit flipped in the wrapped key\'s nonce', async (conv) => wrappedFlip((await c.get(keyKey(conv)))!, 'nonce')],
      ['a bit flipped in the wrapped key\'s ciphertext', async (conv) => wrappedFlip((await c.get(keyKey(conv)))!, 'ciphertext')],
      ['a bit flipped in the wrapped key\'s tag', async (conv) => wrappedFlip((await c.get(keyKey(conv)))!, 'tag')],
      ['the key id relabelled (same owner, other generation)', async (conv) => { const r = JSON.parse((await c.get(keyKey(conv)))!) as { kid: string }; return JSON.stringify({ ...r, kid: `${ownerOf(conv)}.7` }); }],
      ['malformed JSON', async () => '{"kid":'],
    ];
    for (const [what, make] of keyCases) {
      it(`key store: ${what} -> apology, security event (key), no crash`, async () => {
        const conv = `key-${what.replace(/\W+/g, '-')}`;
        await established(conv);
        await c.set(keyKey(conv), await make(conv), { KEEPTTL: true });
        clock.advance(61_000);
        const r = await turn(a.url, 'yes', o(conv));
        expect(r.texts).to.have.length(1);
        expect(r.texts[0]).to.match(APOLOGY);
        const ev = await securityEvent(a, what.startsWith('the key id') ? 'security.key_destroyed' : 'security.tamper', what.startsWith('the key id') ? 'state' : 'key', ownerOf(conv));
        expect(JSON.stringify(ev)).to.not.include(conv);
        expect((await turn(a.url, 'help', o(`${conv}-next`))).texts.join()).to.match(/where is my order/);
        await chainVerifies(a);
      });
    }

    it('key store: A\'s wrapped key copied onto B\'s slot is refused; B\'s state is never sealed under A\'s key', async () => {
      await established('key-victim');
      await established('key-attacker');
      await c.set(keyKey('key-attacker'), (await c.get(keyKey('key-victim')))!, { KEEPTTL: true });
      clock.advance(61_000);
      const r = await turn(a.url, 'yes', o('key-attacker'));
      expect(r.texts[0]).to.match(APOLOGY);
      await securityEvent(a, 'security.tamper', 'key', ownerOf('key-attacker'));
      // Nothing of B's conversation was written under A's key id.
      const env = Buffer.from(await envOf('key-attacker'), 'base64');
      expect(env.subarray(2, 2 + env[1]!).toString()).to.not.include(ownerOf('key-victim'));
      expect((await turn(a.url, 'help', o('key-victim'))).status).to.equal(200);
    });

    it('key store: a 50 MB record is refused unparsed, memory stays bounded', async () => {
      await established('key-50mb');
      await c.set(keyKey('key-50mb'), 'A'.repeat(MB50));
      clock.advance(61_000);
      await measured('key store 50 MB', async () => {
        const r = await turn(a.url, 'yes', o('key-50mb'));
        expect(r.texts[0]).to.match(APOLOGY);
      });
      await securityEvent(a, 'security.oversize', 'key', ownerOf('key-50mb'));
      expect((await turn(a.url, 'help', o('key-50mb-next'))).texts.join()).to.match(/where is my order/);
    });
  });

  // ---------------------------------------------------------------------------------------------------------------
  describe('consent records (first turn of a new conversation: the notice is asked again)', () => {
    let a: RunningApp;
    before(async () => { await freshRedis(); a = await startApp({ REDIS_URL: redis.url, CONSENT_PRESET: undefined }); });
    after(async () => { await a?.stop(); await redis?.stop(); });

    const user = (name: string) => `${name}-user`;
    const recKey = (name: string) => `tl:consent:{${a.app.pseudonyms.hash('consent', `user/test/${user(name)}`)}}`;
    const envOf = async (name: string) => (JSON.parse((await c.hGet(recKey(name), 'v'))!) as { env: string }).env;
    const setEnv = (name: string, env: string) => c.hSet(recKey(name), 'v', JSON.stringify({ env }));
    async function consented(name: string): Promise<void> {
      const o = { conversationId: `${name}-1`, userId: user(name), locale: 'en-US' };
      expect((await turn(a.url, 'where is my order?', o)).texts.join()).to.match(/Keep my conversation|privacy/i);
      expect((await turn(a.url, 'Keep my conversation', o)).texts.join()).to.match(/we will keep a copy/);
      expect(await c.exists(recKey(name))).to.equal(1);
    }
    async function asksAgain(name: string, type = 'security.tamper'): Promise<void> {
      const r = await turn(a.url, 'where is my order?', { conversationId: `${name}-2`, userId: user(name), locale: 'en-US' });
      expect(r.status).to.equal(200);
      // Fail closed: nothing is assumed from an unreadable record; the notice is shown again, no error.
      expect(r.texts.join()).to.not.match(APOLOGY);
      expect(JSON.stringify(r.body)).to.match(/Keep my conversation/);
      await securityEvent(a, type, 'consent', a.app.pseudonyms.userOwner('test', user(name)));
      // Answering replaces the unreadable record; the customer is served.
      expect((await turn(a.url, 'Keep my conversation', { conversationId: `${name}-2`, userId: user(name), locale: 'en-US' })).texts.join()).to.match(/we will keep a copy/);
      await chainVerifies(a);
    }

    for (const where of FLIPS) {
      it(`a bit flipped in the ${where} -> the notice again, security.tamper (consent)`, async () => {
        const name = `cn-${where}`;
        await consented(name);
        await setEnv(name, flip(await envOf(name), where));
        await asksAgain(name);
      });
    }
    it('A\'s record on B\'s key does not count for B (B is asked), B sees nothing of A', async () => {
      await consented('cn-victim');
      await consented('cn-attacker');
      await setEnv('cn-attacker', await envOf('cn-victim'));
      await asksAgain('cn-attacker');
    });
    it('relabelled with another owner\'s key id -> the notice again', async () => {
      await consented('cn-rel-a');
      await consented('cn-rel-b');
      await setEnv('cn-rel-a', relabel(await envOf('cn-rel-a'), await envOf('cn-rel-b')));
      await asksAgain('cn-rel-a');
    });
    it('a 50 MB record -> the notice again, memory bounded', async () => {
      await consented('cn-50mb');
      await c.hSet(recKey('cn-50mb'), 'v', 'A'.repeat(MB50));
      await measured('consent 50 MB', () => asksAgain('cn-50mb', 'security.oversize'));
    });
  });

  // ---------------------------------------------------------------------------------------------------------------
  describe('one-time code challenges (not sealed: bound by keyed hash, conversation and purpose)', () => {
    let a: RunningApp;
    const clock = new TestClock(Date.parse('2026-12-01T09:00:00Z'));
    before(async () => { await freshRedis(); a = await startApp({ REDIS_URL: redis.url, CUSTOMER_DIRECTORY_FILE: directoryCopy() }, { clock }); });
    beforeEach(() => { clock.advance(25 * 3_600_000); });
    after(async () => { await a?.stop(); await redis?.stop(); });

    /** Starts a verification; returns the challenge key in Redis and the code that was sent. */
    async function started(conv: string, email: string): Promise<{ key: string; code: string; talk: (t: string) => Promise<string> }> {
      const talk = say(a, { conversationId: conv, userId: `${conv}-user` });
      expect(await talk('where is my order')).to.match(/confirm who you are/);
      expect(await talk(email)).to.match(/If that matches an account/);
      const code = (await lastOutboxCode(a))!.code;
      const account = a.app.identity.otp.accountOfCustomer(email === CANARY_A.email ? CANARY_A.customerNumber : CANARY_B.customerNumber);
      const keys: string[] = [];
      const mine = a.app.pseudonyms.conversationOwner('test', conv);
      for await (const batch of c.scanIterator({ MATCH: `tl:otp:{${account}}:c:*` })) {
        for (const k of batch as unknown as string[]) if ((await c.hGet(k, 'c')) === mine) keys.push(k);
      }
      expect(keys).to.have.length(1);
      return { key: keys[0]!, code, talk };
    }
    const wrongReply = /That code is not valid/;

    const fieldCases: [string, string, (v: string) => string, boolean][] = [
      ['the conversation', 'c', (v) => `${v.slice(0, -1)}${v.endsWith('A') ? 'B' : 'A'}`, false],
      ['the purpose', 'p', (v) => `${v}x`, false],
      ['the tries counter (not a number)', 't', () => 'zero', true],
    ];
    for (const [what, field, change, voided] of fieldCases) {
      it(`${what} changed -> the reply for a wrong code, security.tamper (otp)${voided ? ', the challenge void' : ''}`, async () => {
        const conv = `otp-${field}`;
        const s = await started(conv, CANARY_A.email);
        await c.hSet(s.key, field, change((await c.hGet(s.key, field))!));
        const r = await s.talk(s.code);
        expect(r).to.match(wrongReply);
        expect(r).to.not.match(APOLOGY);
        await securityEvent(a, 'security.tamper', 'otp', a.app.pseudonyms.conversationOwner('test', conv));
        if (voided) expect(await c.exists(s.key)).to.equal(0);
        await chainVerifies(a);
      });
    }
    it('a bit flipped in the code hash -> the reply for a wrong code (indistinguishable from a typo)', async () => {
      const s = await started('otp-h', CANARY_A.email);
      const h = (await c.hGet(s.key, 'h'))!;
      await c.hSet(s.key, 'h', `${h[0] === 'A' ? 'B' : 'A'}${h.slice(1)}`);
      expect(await s.talk(s.code)).to.match(wrongReply);
    });
    it('A\'s challenge copied onto B\'s key: B\'s own code and A\'s code both fail; B never verifies as A', async () => {
      const sa = await started('otp-victim', CANARY_A.email);
      const sb = await started('otp-attacker', CANARY_B.email);
      const fields = await c.hGetAll(sa.key);
      await c.del(sb.key);
      await c.hSet(sb.key, fields);
      const r = await sb.talk(sa.code);
      expect(r).to.match(wrongReply);
      for (const v of [CANARY_A.name, CANARY_A.email, CANARY_A.orders[0].orderNumber]) expect(r).to.not.include(v);
      await securityEvent(a, 'security.tamper', 'otp', a.app.pseudonyms.conversationOwner('test', 'otp-attacker'));
    });
    it('a 50 MB code hash -> the reply for a wrong code, memory bounded', async () => {
      const s = await started('otp-50mb', CANARY_A.email);
      await c.hSet(s.key, 'h', 'A'.repeat(MB50));
      await measured('otp 50 MB', async () => { expect(await s.talk(s.code)).to.match(wrongReply); });
      await securityEvent(a, 'security.tamper', 'otp', a.app.pseudonyms.conversationOwner('test', 'otp-50mb'));
    });
  });

  // ---------------------------------------------------------------------------------------------------------------
  describe('transcripts and the export link (the export download)', () => {
    let a: RunningApp;
    const clock = new TestClock(Date.parse('2026-12-01T09:00:00Z'));
    before(async () => { await freshRedis(); a = await startApp({ REDIS_URL: redis.url, CUSTOMER_DIRECTORY_FILE: directoryCopy(), CONSENT_PRESET: 'keep' }, { clock }); });
    beforeEach(() => { clock.advance(25 * 3_600_000); });
    after(async () => { await a?.stop(); await redis?.stop(); });

    /** A verified export request: returns the link (not yet fetched), the conversation's pseudonym and the Redis keys. */
    async function exportReady(conv: string, who: Canary): Promise<{ url: string; c: string; tx: string; link: string }> {
      const talk = say(a, { conversationId: conv, userId: `${conv}-user` });
      await talk(`my order number is ${who.orders[0].orderNumber}, where is it`);
      await talk('send me my data');
      const reply = await verifyWith(a, talk, who.email);
      const url = /http:\/\/\S+\/dsr\/export\/([A-Za-z0-9_-]{43})/.exec(reply);
      expect(url, reply).to.not.equal(null);
      const c0 = a.app.pseudonyms.conversationOwner('test', conv);
      return { url: url![0], c: c0, tx: `tl:tx:{${c0}}`, link: `tl:dsr:x:{${linkHash(url![1]!)}}` };
    }
    async function download(url: string): Promise<{ status: number; text: string }> {
      const r = await fetch(url);
      return { status: r.status, text: await r.text() };
    }
    const firstField = async (key: string) => Object.keys(await c.hGetAll(key)).sort()[0]!;
    const subjectOf = (who: Canary) => a.app.identity.index.lookup(who.customerNumber);

    for (const where of FLIPS) {
      it(`transcript entry: a bit flipped in the ${where} -> left out of the export, counted, security.tamper (transcript)`, async () => {
        const e = await exportReady(`tx-${where}`, CANARY_A);
        const f = await firstField(e.tx);
        await c.hSet(e.tx, f, flip((await c.hGet(e.tx, f))!, where));
        const d = await download(e.url);
        expect(d.status).to.equal(200);
        expect(d.text).to.match(/"unreadable": [1-9]/);
        await securityEvent(a, 'security.tamper', 'transcript', e.c);
        await chainVerifies(a);
      });
    }
    it('transcript entry: A\'s entry copied into B\'s conversation does not open; B\'s export holds nothing of A', async () => {
      const ea = await exportReady('tx-victim', CANARY_A);
      const eb = await exportReady('tx-attacker', CANARY_B);
      const fa = await c.hGetAll(ea.tx);
      // Same field names and new ones: both ways of planting A's entries.
      for (const [f, v] of Object.entries(fa)) { await c.hSet(eb.tx, f, v); await c.hSet(eb.tx, `${f}x`, v); }
      const d = await download(eb.url);
      expect(d.status).to.equal(200);
      for (const v of [CANARY_A.orders[0].orderNumber, CANARY_A.email, CANARY_A.name]) expect(d.text).to.not.include(v);
      for (const f of Object.keys(fa)) expect(d.text).to.not.include(`"id": "${f}"`);
      await securityEvent(a, 'security.tamper', 'transcript', eb.c);
    });
    it('transcript entry: relabelled with another owner\'s key id -> left out, security.tamper', async () => {
      const ea = await exportReady('tx-rel-a', CANARY_A);
      const eb = await exportReady('tx-rel-b', CANARY_B);
      const f = await firstField(ea.tx);
      await c.hSet(ea.tx, f, relabel((await c.hGet(ea.tx, f))!, (await c.hGet(eb.tx, await firstField(eb.tx)))!));
      const d = await download(ea.url);
      expect(d.text).to.match(/"unreadable": [1-9]/);
      await securityEvent(a, 'security.tamper', 'transcript', ea.c);
    });
    it('transcript entry: a 50 MB entry -> left out, security.oversize, memory bounded', async () => {
      const e = await exportReady('tx-50mb', CANARY_A);
      await c.hSet(e.tx, 'planted', 'A'.repeat(MB50));
      const d = await measured('transcript 50 MB', () => download(e.url));
      expect(d.status).to.equal(200);
      expect(d.text.length).to.be.below(1024 * 1024);
      await securityEvent(a, 'security.oversize', 'transcript', e.c);
    });

    // The export link record (dsr): the customer number inside is sealed under the subject's key.
    const sealedOf = async (link: string) => (JSON.parse((await c.get(link))!) as { sealedCustomer: string }).sealedCustomer;
    const setSealed = async (link: string, env: string) => {
      const r = JSON.parse((await c.get(link))!) as Record<string, unknown>;
      await c.set(link, JSON.stringify({ ...r, sealedCustomer: env }), { KEEPTTL: true });
    };
    for (const where of FLIPS) {
      it(`export link: a bit flipped in the ${where} of the sealed customer -> 404, security.tamper (dsr)`, async () => {
        const e = await exportReady(`dl-${where}`, CANARY_A);
        await setSealed(e.link, flip(await sealedOf(e.link), where));
        const d = await download(e.url);
        expect(d.status).to.equal(404);
        expect(d.text).to.not.include(CANARY_A.customerNumber);
        await securityEvent(a, 'security.tamper', 'dsr', (await subjectOf(CANARY_A))!.owner);
        await chainVerifies(a);
      });
    }
    it('export link: A\'s sealed customer number on B\'s link -> 404; B never gets A\'s export', async () => {
      const ea = await exportReady('dl-victim', CANARY_A);
      const eb = await exportReady('dl-attacker', CANARY_B);
      await setSealed(eb.link, await sealedOf(ea.link));
      const d = await download(eb.url);
      expect(d.status).to.equal(404);
      for (const v of [CANARY_A.customerNumber, CANARY_A.email, CANARY_A.name]) expect(d.text).to.not.include(v);
      await securityEvent(a, 'security.tamper', 'dsr', (await subjectOf(CANARY_B))!.owner);
      // A's own link still works.
      expect((await download(ea.url)).status).to.equal(200);
    });
    it('export link: relabelled with another owner\'s key id -> 404', async () => {
      const ea = await exportReady('dl-rel-a', CANARY_A);
      const eb = await exportReady('dl-rel-b', CANARY_B);
      await setSealed(ea.link, relabel(await sealedOf(ea.link), await sealedOf(eb.link)));
      expect((await download(ea.url)).status).to.equal(404);
      await securityEvent(a, 'security.tamper', 'dsr', (await subjectOf(CANARY_A))!.owner);
    });
    it('export link: a 50 MB record -> 404, security.oversize (dsr), memory bounded', async () => {
      const e = await exportReady('dl-50mb', CANARY_A);
      await c.set(e.link, 'A'.repeat(MB50));
      const d = await measured('export link 50 MB', () => download(e.url));
      expect(d.status).to.equal(404);
      await securityEvent(a, 'security.oversize', 'dsr');
      expect((await turn(a.url, 'help', { conversationId: 'dl-after' })).texts.join()).to.match(/where is my order/);
    });
  });

  // ---------------------------------------------------------------------------------------------------------------
  describe('handoff relayed messages (the agents\' queue preview)', () => {
    let a: RunningApp;
    let stub: ConnectorStub;
    let agent: StaffUser;
    let ag: StaffClient;
    const clock = new TestClock(Date.now());
    before(async () => {
      await freshRedis();
      stub = await new ConnectorStub().start();
      a = await startApp({ REDIS_URL: redis.url, CONSENT_PRESET: 'keep', HANDOFF_OFFER_AFTER_SECONDS: '3600', HANDOFF_SWEEP_SECONDS: '3600' }, { clock });
      agent = await createStaff(a, ['agent']);
      ag = new StaffClient(a.url);
      clock.advance(31_000);
      await ag.login(agent, clock.now());
    });
    after(async () => { await a?.stop(); await stub?.stop(); await redis?.stop(); });

    const say2 = (conv: string, text: string) => turn(a.url, text, { conversationId: conv, userId: `${conv}-user`, extra: { serviceUrl: stub.url, locale: 'en-US' } });
    const cOf = (conv: string) => a.app.pseudonyms.conversationOwner('test', conv);
    const msgKey = (conv: string) => `tl:ho:msg:{${cOf(conv)}}`;
    async function queued(conv: string, secret: string): Promise<void> {
      expect((await say2(conv, `I want to talk to a person please, about ${secret}`)).texts.join(' ')).to.match(/queue/);
    }
    async function preview(conv: string): Promise<{ text: string; item: { preview: string } | undefined }> {
      const q = await ag.req('GET', '/api/staff/queue');
      expect(q.status).to.equal(200);
      return { text: q.text, item: (q.json.items as { id: string; preview: string }[]).find((i) => i.id === cOf(conv)) };
    }
    async function lastEntry(conv: string): Promise<{ id: string; seq: string; env: string }> {
      const rows = (await c.xRange(msgKey(conv), '-', '+')) ?? [];
      const r = rows[rows.length - 1]!;
      return { id: r.id, seq: r.message.seq!, env: r.message.env! };
    }
    async function replaceLast(conv: string, env: string, seq?: string): Promise<void> {
      const e = await lastEntry(conv);
      await c.xDel(msgKey(conv), e.id);
      await c.xAdd(msgKey(conv), '*', { seq: seq ?? e.seq, env });
    }
    async function failsClosed(conv: string, secret: string, type = 'security.tamper', elsewhere = false): Promise<void> {
      const p = await preview(conv);
      expect(p.item, 'still listed').to.not.equal(undefined);
      expect(p.item!.preview).to.equal('');
      // The secret may be listed under its own conversation (the victim's), never under this one.
      if (!elsewhere) expect(p.text).to.not.include(secret);
      await securityEvent(a, type, 'handoff', cOf(conv));
      // The customer side keeps working: the next message is relayed and shows.
      expect((await say2(conv, 'are you there')).texts.join()).to.match(/still in the queue/);
      expect((await preview(conv)).item!.preview).to.include('are you there');
      await chainVerifies(a);
    }

    for (const where of FLIPS) {
      it(`a bit flipped in the ${where} -> left out of the queue, security.tamper (handoff)`, async () => {
        const conv = `ho-${where}`;
        await queued(conv, `parcel-${where}`);
        await replaceLast(conv, flip((await lastEntry(conv)).env, where));
        await failsClosed(conv, `parcel-${where}`);
      });
    }
    it('A\'s message planted in B\'s stream does not open; B\'s queue entry shows nothing of A', async () => {
      await queued('ho-victim', 'zebra-secret-parcel');
      await queued('ho-attacker', 'own-business');
      const e = await lastEntry('ho-victim');
      await replaceLast('ho-attacker', e.env, e.seq);
      await failsClosed('ho-attacker', 'zebra-secret-parcel', 'security.tamper', true);
      expect((await preview('ho-victim')).item!.preview).to.include('zebra-secret-parcel');
    });
    it('relabelled with another owner\'s key id -> left out', async () => {
      await queued('ho-rel-a', 'rel-a-parcel');
      await queued('ho-rel-b', 'rel-b-parcel');
      await replaceLast('ho-rel-a', relabel((await lastEntry('ho-rel-a')).env, (await lastEntry('ho-rel-b')).env));
      await failsClosed('ho-rel-a', 'rel-a-parcel');
    });
    it('a 50 MB message -> left out, security.oversize (handoff), memory bounded', async () => {
      await queued('ho-50mb', 'big-parcel');
      await replaceLast('ho-50mb', 'A'.repeat(MB50));
      await measured('handoff 50 MB', () => failsClosed('ho-50mb', 'big-parcel', 'security.oversize'));
    });
  });
});
