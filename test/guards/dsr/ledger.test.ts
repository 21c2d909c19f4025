import { expect } from 'chai';
import type { RedisClientType } from 'redis';
import { MemoryDsrLedger, RedisDsrLedger, newReceiptId, type DsrLedger } from '../../../guards/dsr/ledger.js';
import { sharedRedis } from '../../support/redis.js';

const now = new Date('2026-11-29T10:00:00Z');

for (const [name, make] of [
  ['memory', async (): Promise<DsrLedger> => new MemoryDsrLedger()],
  ['redis', async (): Promise<DsrLedger> => { const r = await sharedRedis(); const c = await r.client(); await c.flushDb(); return new RedisDsrLedger(c as RedisClientType, 3600); }],
] as const) {
  describe(`DSR ledger (${name})`, () => {
    let l: DsrLedger;
    beforeEach(async () => { l = await make(); });

    it('opens a request with deadlines from the region', async () => {
      const { record, created } = await l.open({ type: 'erase', subject: 's_abc', region: 'US-CA', now });
      expect(created).to.equal(true);
      expect(record).to.include({ type: 'erase', subject: 's_abc', regime: 'CCPA', due: '2027-01-13', status: 'received' });
      expect(record.id).to.match(/^R-[0-9A-Z]{5}-[0-9A-Z]{5}$/);
    });

    it('is idempotent while open: three "delete me" are one request', async () => {
      const ids = new Set<string>();
      for (let i = 0; i < 3; i++) ids.add((await l.open({ type: 'erase', subject: 's_same', now })).record.id);
      expect(ids.size).to.equal(1);
      const other = await l.open({ type: 'export', subject: 's_same', now });
      expect(ids.has(other.record.id)).to.equal(false);
    });

    it('opens one request when two callers race', async () => {
      const rs = await Promise.all(Array.from({ length: 10 }, () => l.open({ type: 'access', subject: 's_race', now })));
      expect(new Set(rs.map((r) => r.record.id)).size).to.equal(1);
      expect(rs.filter((r) => r.created)).to.have.length(1);
    });

    it('opens a new request once the previous one completed, and lists unfinished ones', async () => {
      const first = (await l.open({ type: 'export', subject: 's_x', now })).record;
      expect((await l.unfinished('export')).map((r) => r.id)).to.include(first.id);
      await l.update(first.id, { status: 'completed', outcome: 'delivered' }, now);
      expect((await l.unfinished('export')).map((r) => r.id)).to.not.include(first.id);
      const second = (await l.open({ type: 'export', subject: 's_x', now })).record;
      expect(second.id).to.not.equal(first.id);
      expect((await l.get(first.id))!.outcome).to.equal('delivered');
      expect((await l.list()).map((r) => r.id)).to.include.members([first.id, second.id]);
    });
  });
}

describe('receipt numbers', () => {
  it('are random and quotable', () => {
    const ids = new Set(Array.from({ length: 1000 }, newReceiptId));
    expect(ids.size).to.equal(1000);
    for (const id of ids) expect(id).to.not.match(/[ILOU]/);
  });
});
