import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { createLogger } from '../../../guards/log/logger.js';
import { Pseudonymizer } from '../../../guards/crypto/pseudonym.js';
import { JsonFileDirectory } from '../../../directory/customerDirectory.js';
import { DEFAULT_OTP_LIMITS, MemoryOtpStore, RedisOtpStore, type OtpStore } from '../../../guards/identity/otpStore.js';
import { DeliveryQueue, type CodeMessage, type CodeSender } from '../../../guards/identity/delivery.js';
import { OtpService, parseIdentifier, type Challenge } from '../../../guards/identity/otpService.js';
import { connectRedis, type ManagedRedis } from '../../../guards/storage/redisClient.js';
import { sharedRedis } from '../../support/redis.js';
import { Writable } from 'node:stream';

export const DIRECTORY_FILE = join(process.cwd(), 'data', 'customers.json');
const silent = createLogger({ level: 'silent', destination: new Writable({ write(_c, _e, cb) { cb(); } }) });

/** Captures what would be sent; the attack tests read codes from it. */
export class CapturingSender implements CodeSender {
  readonly sent: CodeMessage[] = [];
  async send(m: CodeMessage) { this.sent.push(m); }
  last(): CodeMessage | undefined { return this.sent[this.sent.length - 1]; }
}

/** A store wrapper counting calls, to compare the work done for known and unknown accounts. */
class CountingStore implements OtpStore {
  calls: string[] = [];
  constructor(readonly inner: OtpStore) {}
  issue(r: Parameters<OtpStore['issue']>[0]) { this.calls.push('issue'); return this.inner.issue(r); }
  check(r: Parameters<OtpStore['check']>[0]) { this.calls.push('check'); return this.inner.check(r); }
  failures(a: string, n: number) { return this.inner.failures(a, n); }
  locked(a: string, n: number) { return this.inner.locked(a, n); }
  discard(a: string, c: string) { this.calls.push('discard'); return this.inner.discard(a, c); }
}

const T0 = Date.parse('2026-11-29T12:00:00Z');
const MIN = 60_000;

function wrongCode(right: string): string {
  return right === '000000' ? '111111' : '000000';
}

for (const kind of ['redis', 'memory'] as const) {
  describe(`one-time code attacks (${kind} store)`, function () {
    this.timeout(30000);
    let redis: ManagedRedis | undefined;
    let now = T0;
    const directory = new JsonFileDirectory(DIRECTORY_FILE);

    before(async () => {
      if (kind === 'redis') redis = await connectRedis({ url: (await sharedRedis()).url, name: 'otp-test', connectTimeoutMs: 2000, commandTimeoutMs: 2000, log: silent });
    });
    after(async () => { await redis?.close(); });

    function setup(limits = DEFAULT_OTP_LIMITS) {
      // A fresh purpose key per setup: every test gets its own accounts, even on the shared Redis.
      const p = new Pseudonymizer(randomBytes(32));
      const sender = new CapturingSender();
      const delivery = new DeliveryQueue({ email: sender, sms: sender }, silent);
      const store = new CountingStore(kind === 'redis' ? new RedisOtpStore(redis!.commands, limits) : new MemoryOtpStore(limits));
      const otp = new OtpService({ directory, store, delivery, pseudonyms: p, codeHashKey: randomBytes(32), digits: 6, ttlSeconds: 300 });
      return { otp, sender, delivery, store };
    }

    async function send(s: ReturnType<typeof setup>, who: string, conv: string, purpose = 'orderStatus', previous?: Challenge) {
      const r = await s.otp.start({ identifier: parseIdentifier(who)!, purpose, conversation: conv, lang: 'en', methods: ['email_otp', 'sms_otp'], now, ...(previous ? { previous } : {}) });
      await s.delivery.idle();
      return r;
    }

    beforeEach(() => { now = T0 + Math.floor(Math.random() * 1000); });

    it('issues codes of 6 digits from the CSPRNG, sent only to the contact point on file', async () => {
      const s = setup();
      const r = await send(s, 'avery@example.com', 'c1');
      expect(r.outcome).to.equal('sent');
      expect(s.sender.last()?.to).to.equal('avery@example.com');
      expect(s.sender.last()?.code).to.match(/^[0-9]{6}$/);
      const viaPhone = await send(s, '+1 555 555 0101', 'c1');
      expect(viaPhone.outcome).to.equal('sent');
      expect(s.sender.last()).to.include({ channel: 'sms', to: '+15555550101' });
      const codes = new Set(Array.from({ length: 200 }, () => s.otp.newCode()));
      expect(codes.size).to.be.greaterThan(190);
    });

    it('voids a code after 5 wrong tries: the right one is then refused', async () => {
      const s = setup();
      const r = await send(s, 'avery@example.com', 'c1');
      const code = s.sender.last()!.code;
      for (let i = 0; i < 5; i++) expect((await s.otp.check({ challenge: r.challenge!, code: wrongCode(code), conversation: 'c1', purpose: 'orderStatus', now })).outcome).to.equal('wrong');
      expect((await s.otp.check({ challenge: r.challenge!, code, conversation: 'c1', purpose: 'orderStatus', now })).outcome).to.equal('wrong');
    });

    it('does not reset the account count with a new code: 4 wrong, a new code, 1 wrong = 5', async () => {
      const s = setup();
      const first = await send(s, 'avery@example.com', 'c1');
      for (let i = 0; i < 4; i++) await s.otp.check({ challenge: first.challenge!, code: wrongCode(s.sender.last()!.code), conversation: 'c1', purpose: 'orderStatus', now });
      const second = await s.otp.resend({ challenge: first.challenge!, conversation: 'c1', lang: 'en', now });
      await s.delivery.idle();
      expect(second.outcome).to.equal('sent');
      // The first code stopped working when the new one was sent.
      expect((await s.otp.check({ challenge: first.challenge!, code: s.sender.sent[0]!.code, conversation: 'c1', purpose: 'orderStatus', now })).outcome).to.equal('wrong');
      const account = await s.otp.accountKeyOf(parseIdentifier('avery@example.com')!);
      expect(await s.store.failures(account, now)).to.equal(5);
      await s.otp.check({ challenge: second.challenge!, code: wrongCode(s.sender.last()!.code), conversation: 'c1', purpose: 'orderStatus', now });
      expect(await s.store.failures(account, now)).to.equal(6);
      // The same account reached through its phone number shares the count.
      expect(await s.store.failures(await s.otp.accountKeyOf(parseIdentifier('+15555550101')!), now)).to.equal(6);
    });

    it('locks the account for at least 15 minutes after 10 wrong tries spread over 5 conversations, and until the rolling count falls below 10', async () => {
      const s = setup();
      const start = now;
      for (let c = 0; c < 5; c++) {
        const r = await send(s, c % 2 ? 'avery@example.com' : 'C100001', `conv-${c}`);
        expect(r.outcome).to.equal('sent');
        for (let i = 0; i < 2; i++) {
          const out = await s.otp.check({ challenge: r.challenge!, code: wrongCode(s.sender.last()!.code), conversation: `conv-${c}`, purpose: 'orderStatus', now });
          expect(out.outcome).to.equal(c === 4 && i === 1 ? 'locked' : 'wrong');
        }
        now += MIN;
        if (c === 2) now += 16 * MIN; // spreads the sends over more than the 15-minute send window
      }
      const lockedAt = now;
      // Locked: no code is sent, and even a right code is refused, in a sixth conversation.
      const during = await send(s, 'avery@example.com', 'conv-6');
      expect(during.outcome).to.equal('locked');
      now = lockedAt + 14 * MIN;
      expect(await s.store.locked(await s.otp.accountKeyOf(parseIdentifier('avery@example.com')!), now)).to.equal(true);
      // Still locked after 15 minutes while 10 failures remain in the rolling 24 h...
      now = lockedAt + 16 * MIN;
      expect((await send(s, 'avery@example.com', 'conv-7')).outcome).to.equal('locked');
      // ...and free once the oldest failures have left the window.
      now = start + 24 * 60 * MIN + 10 * MIN;
      expect((await send(s, 'avery@example.com', 'conv-8')).outcome).to.equal('sent');
      const r = await send(s, 'avery@example.com', 'conv-9');
      expect((await s.otp.check({ challenge: r.challenge!, code: s.sender.last()!.code, conversation: 'conv-9', purpose: 'orderStatus', now })).outcome).to.equal('ok');
    });

    it('counts all of 50 concurrent wrong codes (atomic counters)', async () => {
      const s = setup({ ...DEFAULT_OTP_LIMITS, lockFailures: 1000, maxTriesPerCode: 1000 });
      const r = await send(s, 'avery@example.com', 'c1');
      const code = s.sender.last()!.code;
      const results = await Promise.all(Array.from({ length: 50 }, () => s.otp.check({ challenge: r.challenge!, code: wrongCode(code), conversation: 'c1', purpose: 'orderStatus', now })));
      expect(results.every((x) => x.outcome === 'wrong')).to.equal(true);
      expect(await s.store.failures(await s.otp.accountKeyOf(parseIdentifier('C100001')!), now)).to.equal(50);
    });

    it('under the real limits, 50 concurrent wrong codes record exactly 10 failures and lock: none slips through', async () => {
      const s = setup();
      const r = await send(s, 'avery@example.com', 'c1');
      const code = s.sender.last()!.code;
      const results = await Promise.all(Array.from({ length: 50 }, (_, i) => s.otp.check({ challenge: r.challenge!, code: i === 49 ? code : wrongCode(code), conversation: 'c1', purpose: 'orderStatus', now })));
      const account = await s.otp.accountKeyOf(parseIdentifier('avery@example.com')!);
      expect(await s.store.failures(account, now)).to.equal(10);
      expect(results.filter((x) => x.outcome === 'ok')).to.have.length(0);
      expect(results.filter((x) => x.outcome === 'locked').length).to.be.greaterThan(39);
    });

    it('accepts a code once, only in its conversation and for its purpose, and not after 5 minutes', async () => {
      const s = setup();
      const r = await send(s, 'avery@example.com', 'c1');
      const code = s.sender.last()!.code;
      expect((await s.otp.check({ challenge: r.challenge!, code, conversation: 'other-conv', purpose: 'orderStatus', now })).outcome).to.equal('wrong');
      expect((await s.otp.check({ challenge: r.challenge!, code, conversation: 'c1', purpose: 'dataErase', now })).outcome).to.equal('wrong');
      const ok = await s.otp.check({ challenge: r.challenge!, code, conversation: 'c1', purpose: 'orderStatus', now });
      expect(ok.outcome).to.equal('ok');
      expect(ok.outcome === 'ok' && ok.customer.customerNumber).to.equal('C100001');
      expect((await s.otp.check({ challenge: r.challenge!, code, conversation: 'c1', purpose: 'orderStatus', now })).outcome).to.equal('wrong');

      const late = await send(s, 'avery@example.com', 'c2');
      const lateCode = s.sender.last()!.code;
      now += 5 * MIN + 1;
      expect((await s.otp.check({ challenge: late.challenge!, code: lateCode, conversation: 'c2', purpose: 'orderStatus', now })).outcome).to.equal('wrong');
    });

    it('keeps a code to its sealed expiry even when the stored record is edited to live longer (or is pre-expiry)', async function () {
      if (kind !== 'redis') this.skip();
      const s = setup();
      const r = await send(s, 'avery@example.com', 'c-exp');
      const code = s.sender.last()!.code;
      expect(r.challenge!.expiresAt).to.equal(now + 5 * MIN);
      // Someone with write access to Redis pushes the stored expiry a day out and resets the tries.
      const key = `tl:otp:{${r.challenge!.account}}:c:${r.challenge!.id}`;
      expect(await redis!.commands.eval("return redis.call('HSET', KEYS[1], 'x', ARGV[1], 't', 0)", { keys: [key], arguments: [String(now + 24 * 60 * MIN)] })).to.equal(0);
      now += 5 * MIN + 1;
      expect((await s.otp.check({ challenge: r.challenge!, code, conversation: 'c-exp', purpose: 'orderStatus', now })).outcome).to.equal('wrong');
      // A code within its life still works after the same edit (the binding changes nothing for honest use).
      const fresh = await send(s, 'avery@example.com', 'c-exp2');
      const freshCode = s.sender.last()!.code;
      await redis!.commands.eval("return redis.call('HSET', KEYS[1], 'x', ARGV[1])", { keys: [`tl:otp:{${fresh.challenge!.account}}:c:${fresh.challenge!.id}`], arguments: [String(now + 24 * 60 * MIN)] });
      expect((await s.otp.check({ challenge: fresh.challenge!, code: freshCode, conversation: 'c-exp2', purpose: 'orderStatus', now: now + MIN })).outcome).to.equal('ok');
      // And a challenge whose sealed expiry was changed in the (client-side) state no longer matches its hash.
      const third = await send(s, 'avery@example.com', 'c-exp3');
      const thirdCode = s.sender.last()!.code;
      expect((await s.otp.check({ challenge: { ...third.challenge!, expiresAt: third.challenge!.expiresAt! + 60 * MIN }, code: thirdCode, conversation: 'c-exp3', purpose: 'orderStatus', now })).outcome).to.equal('wrong');
    });

    it('accepts a code once even when submitted concurrently', async () => {
      const s = setup();
      const r = await send(s, 'avery@example.com', 'c1');
      const code = s.sender.last()!.code;
      const results = await Promise.all(Array.from({ length: 10 }, () => s.otp.check({ challenge: r.challenge!, code, conversation: 'c1', purpose: 'orderStatus', now })));
      expect(results.filter((x) => x.outcome === 'ok')).to.have.length(1);
    });

    it('limits sends to 3 per 15 minutes and 10 per 24 hours per account', async () => {
      const s = setup();
      const outcomes: string[] = [];
      for (let i = 0; i < 4; i++) outcomes.push((await send(s, 'jana@example.org', `c${i}`)).outcome);
      expect(outcomes).to.deep.equal(['sent', 'sent', 'sent', 'limited']);
      const daily: string[] = [];
      for (let i = 0; i < 10; i++) {
        now += 16 * MIN;
        daily.push((await send(s, i % 2 ? 'jana@example.org' : '+4915550100200', `d${i}`)).outcome);
      }
      // 3 earlier + 7 more = 10 in 24 h; the next ones are refused.
      expect(daily.filter((o) => o === 'sent')).to.have.length(7);
      expect(daily.slice(7)).to.deep.equal(['limited', 'limited', 'limited']);
      expect(s.sender.sent).to.have.length(10);
    });

    it('answers a known and an unknown account identically, does the same work, and sends nothing for the unknown one', async () => {
      const script = async (who: string) => {
        const s = setup();
        const seen: string[] = [];
        for (let i = 0; i < 4; i++) {
          const r = await send(s, who, `c${i}`);
          seen.push(r.outcome);
          if (r.challenge) for (let j = 0; j < 3; j++) seen.push((await s.otp.check({ challenge: r.challenge, code: '123456', conversation: `c${i}`, purpose: 'orderStatus', now })).outcome);
          now += 16 * MIN;
        }
        return { seen, calls: s.store.calls, sent: s.sender.sent.length };
      };
      const known = await script('avery@example.com');
      const unknown = await script('nobody.here@example.com');
      expect(unknown.seen).to.deep.equal(known.seen);
      expect(known.seen).to.include('locked');
      expect(unknown.calls).to.deep.equal(known.calls);
      expect(known.sent).to.be.greaterThan(0);
      expect(unknown.sent).to.equal(0);
    });
  });
}

describe('identifiers', () => {
  const rows: [string, ReturnType<typeof parseIdentifier>][] = [
    ['avery@example.com', { kind: 'email', value: 'avery@example.com' }],
    ['my email is Avery@Example.com.', { kind: 'email', value: 'avery@example.com' }],
    ['+1 (555) 555-0101', { kind: 'phone', value: '+15555550101' }],
    ['c100001', { kind: 'customerNumber', value: 'C100001' }],
    ['5555550101', undefined],
    ['hello', undefined],
    ['a@b', undefined],
  ];
  for (const [text, expected] of rows) it(`reads "${text}"`, () => expect(parseIdentifier(text)).to.deep.equal(expected));
});
