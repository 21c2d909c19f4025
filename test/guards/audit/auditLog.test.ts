import { expect } from 'chai';
import { createClient, type RedisClientType } from 'redis';
import { randomBytes } from 'node:crypto';
import { MemoryAuditLog, RedisStreamAuditLog, eventOf, type AuditEvent } from '../../../guards/audit/auditLog.js';
import { isGuardError } from '../../../guards/errors.js';
import { sharedRedis } from '../../support/redis.js';

describe('audit log', () => {
  const ok: AuditEvent = { type: 'verification.succeeded', at: '2026-11-29T12:00:00.000Z', subject: 'sp_AbC-123_x', conversation: 'c_xyz', channel: 'webchat', method: 'email_otp', purpose: 'orderStatus' };
  let client: RedisClientType;
  before(async () => {
    client = createClient({ url: (await sharedRedis()).url, socket: { reconnectStrategy: false } }) as RedisClientType;
    await client.connect();
  });
  after(async () => { client.destroy(); });

  for (const make of [() => new MemoryAuditLog(), () => new RedisStreamAuditLog(client, `tl:audit:test:${Date.now()}`, { chainKey: randomBytes(32) })]) {
    const name = make().constructor.name;
    const refused: [string, Partial<AuditEvent>][] = [
      ['an email address', { subject: 'avery@example.com' }],
      ['free text with spaces', { outcome: 'wrong code typed by Avery' }],
      ['a phone number with a space', { subject: '+1 555 555 0101' }],
      ['a newline', { channel: 'webchat\nforged' }],
    ];
    for (const [what, patch] of refused) {
      it(`${name} refuses an event holding ${what}`, async () => {
        try {
          await make().append({ ...ok, ...patch });
          expect.fail('should refuse');
        } catch (e) {
          expect(isGuardError(e, 'ERR_AUDIT_APPEND_FAILED')).to.equal(true);
        }
      });
    }
  }

  it('appends to a Redis stream, in order, with only the event fields', async () => {
    const key = `tl:audit:test:order:${Date.now()}`;
    const log = new RedisStreamAuditLog(client, key, { chainKey: randomBytes(32), instance: 'bot-a' });
    await log.append(ok);
    await log.append({ ...ok, type: 'consent.given', outcome: 'keep' });
    const entries = (await client.xRange(key, '-', '+')) ?? [];
    // Entry 0 is the genesis that seals whatever was there before the chain existed (here: nothing).
    expect(entries.map((e) => e.message.type)).to.deep.equal(['audit.genesis', 'verification.succeeded', 'consent.given']);
    expect(eventOf(entries[1]!.message as Record<string, string>)).to.deep.equal(ok);
    expect(entries[1]!.message).to.include({ seq: '1', prev: entries[0]!.message.h, inst: 'bot-a' });
    expect(await log.read()).to.deep.include(ok);
  });
});
