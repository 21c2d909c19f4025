/**
 * The storage contract every `Storage` passes (modelled on botbuilder's storageBaseTests): create, read, update with
 * eTag, conflicts, `*`, delete, odd keys, batches.
 */
import { expect } from 'chai';
import type { Storage, StoreItems } from 'botbuilder';

export const ODD_KEYS = [
  'a*', '*', '', ' ', 'line\r\nbreak', 'tab\tkey', '!@#$%^&*()~/\\><,.?\';"`~', '{tag}', '}{', 'üñíçødé ✓ 🙂',
  'x'.repeat(10_000), 'webchat/conversations/abc/', '__proto__', 'constructor', 'null',
];

async function rejects(p: Promise<unknown>): Promise<unknown> {
  try { await p; } catch (e) { return e; }
  throw new Error('expected a rejection');
}

export function storageContract(name: string, make: () => Promise<Storage>): void {
  describe(`Storage contract: ${name}`, () => {
    let s: Storage;
    let n = 0;
    const key = (k: string) => `${name}-${process.pid}-${++n}-${k}`;
    beforeEach(async () => { s = await make(); });

    it('returns nothing for keys that were never written', async () => {
      expect(await s.read([key('missing')])).to.deep.equal({});
    });

    it('stores an item and returns it with an eTag', async () => {
      const k = key('create');
      await s.write({ [k]: { count: 1, nested: { list: [1, 'two', { three: 3 }] }, text: 'héllo ✓' } });
      const got = (await s.read([k]))[k];
      expect(got).to.include({ count: 1, text: 'héllo ✓' });
      expect(got.nested).to.deep.equal({ list: [1, 'two', { three: 3 }] });
      expect(got.eTag).to.be.a('string').and.not.equal('');
    });

    it('keeps odd keys apart and readable', async () => {
      const prefix = key('odd');
      const changes: StoreItems = {};
      ODD_KEYS.forEach((k, i) => { changes[prefix + k] = { i }; });
      await s.write(changes);
      const got = await s.read(Object.keys(changes));
      ODD_KEYS.forEach((k, i) => expect(got[prefix + k]?.i, JSON.stringify(k.slice(0, 20))).to.equal(i));
    });

    it('accepts an update with the current eTag and changes the eTag', async () => {
      const k = key('update');
      await s.write({ [k]: { v: 1 } });
      const first = (await s.read([k]))[k];
      await s.write({ [k]: { ...first, v: 2 } });
      const second = (await s.read([k]))[k];
      expect(second.v).to.equal(2);
      expect(second.eTag).to.not.equal(first.eTag);
    });

    it('rejects an update with a stale eTag and keeps the newer value', async () => {
      const k = key('stale');
      await s.write({ [k]: { v: 1 } });
      const first = (await s.read([k]))[k];
      await s.write({ [k]: { ...first, v: 2 } });
      await rejects(s.write({ [k]: { ...first, v: 3 } }));
      expect((await s.read([k]))[k].v).to.equal(2);
    });

    it('overwrites unconditionally with eTag "*" or without an eTag', async () => {
      const k = key('star');
      await s.write({ [k]: { v: 1 } });
      await s.write({ [k]: { v: 2, eTag: '*' } });
      expect((await s.read([k]))[k].v).to.equal(2);
      await s.write({ [k]: { v: 3 } });
      expect((await s.read([k]))[k].v).to.equal(3);
    });

    it('lets exactly one of two writers with the same eTag win', async () => {
      const k = key('race');
      await s.write({ [k]: { v: 0 } });
      const base = (await s.read([k]))[k];
      const results = await Promise.allSettled([s.write({ [k]: { ...base, v: 'a' } }), s.write({ [k]: { ...base, v: 'b' } })]);
      expect(results.filter((r) => r.status === 'fulfilled')).to.have.length(1);
      expect(['a', 'b']).to.include((await s.read([k]))[k].v);
    });

    it('deletes items and ignores keys that do not exist', async () => {
      const k = key('delete');
      await s.write({ [k]: { v: 1 } });
      await s.delete([k, key('never-existed')]);
      expect(await s.read([k])).to.deep.equal({});
    });

    it('reads and writes batches, leaving out missing keys', async () => {
      const a = key('batch-a'); const b = key('batch-b'); const c = key('batch-c');
      await s.write({ [a]: { v: 'a' }, [b]: { v: 'b' } });
      const got = await s.read([a, b, c]);
      expect(Object.keys(got).sort()).to.deep.equal([a, b].sort());
      expect(got[a].v).to.equal('a');
      expect(got[b].v).to.equal('b');
    });

    it('does nothing for empty batches', async () => {
      expect(await s.read([])).to.deep.equal({});
      await s.write({});
      await s.delete([]);
    });
  });
}
