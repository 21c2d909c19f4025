import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { DataKeyService } from '../../../guards/crypto/dataKeys.js';
import { MemoryKeyStore, RedisKeyStore, type KeyStore, type WrappedKeyRecord } from '../../../guards/crypto/keyStore.js';
import { openEnvelope, readEnvelopeHeader, sealEnvelope } from '../../../guards/crypto/envelope.js';
import { sharedRedis } from '../../support/redis.js';
import type { RedisCommands } from '../../../guards/storage/redisClient.js';

const v1 = { version: 'v1', key: new Uint8Array(randomBytes(32)) };
const v2 = { version: 'v2', key: new Uint8Array(randomBytes(32)) };

async function code(p: Promise<unknown>): Promise<string | undefined> {
  try { await p; } catch (e) { return (e as { code?: string }).code; }
  return undefined;
}

for (const [name, make] of [
  ['memory', async (): Promise<KeyStore> => new MemoryKeyStore()],
  ['redis', async (): Promise<KeyStore> => {
    const r = await sharedRedis();
    const c = await r.client();
    await c.flushDb();
    return new RedisKeyStore(c as unknown as RedisCommands, 3600);
  }],
] as const) {
  describe(`DataKeyService on the ${name} key store`, () => {
    let store: KeyStore;
    beforeEach(async () => { store = await make(); });

    it('creates one random key per owner and returns the same key afterwards', async () => {
      const s = new DataKeyService(store, [v1], 'v1');
      const a = await s.keyForWrite('c_a');
      const a2 = await new DataKeyService(store, [v1], 'v1').keyForWrite('c_a');
      const b = await s.keyForWrite('c_b');
      expect(a.kid).to.equal('c_a.1');
      expect(Buffer.from(a2.key).equals(Buffer.from(a.key))).to.equal(true);
      expect(Buffer.from(b.key).equals(Buffer.from(a.key))).to.equal(false);
    });

    it('keeps only wrapped keys in the store', async () => {
      const s = new DataKeyService(store, [v1], 'v1');
      const dk = await s.keyForWrite('c_wrapped');
      const rec = (await store.get('c_wrapped'))!;
      expect(JSON.stringify(rec)).to.not.include(Buffer.from(dk.key).toString('base64'));
      expect(JSON.stringify(rec)).to.not.include(Buffer.from(dk.key).toString('hex'));
    });

    it('rotates to a new master version without losing old data, and a rerun is a no-op', async () => {
      const before = new DataKeyService(store, [v1], 'v1');
      const envs: [string, string][] = [];
      for (const owner of ['c_1', 'c_2', 'c_3']) {
        const dk = await before.keyForWrite(owner);
        envs.push([owner, sealEnvelope(dk.key, dk.kid, `k/${owner}`, Buffer.from(`data of ${owner}`))]);
      }
      const after = new DataKeyService(store, [v1, v2], 'v2');
      expect((await after.status()).byMasterVersion).to.deep.equal({ v1: 3 });
      const r = await after.rotate();
      expect(r).to.deep.include({ rewrapped: 3, failed: 0 });
      expect((await after.rotate()).rewrapped).to.equal(0);
      // v1 can now be removed from configuration: everything opens with v2 alone.
      const onlyV2 = new DataKeyService(store, [v2], 'v2');
      for (const [owner, env] of envs) {
        const h = readEnvelopeHeader(env, 1 << 20);
        expect(Buffer.from(openEnvelope(await onlyV2.keyForRead(h.kid), h, `k/${owner}`)).toString()).to.equal(`data of ${owner}`);
      }
      expect((await onlyV2.status()).byMasterVersion).to.deep.equal({ v2: 3 });
    });

    it('completes a rotation that was interrupted half-way when rerun', async () => {
      const before = new DataKeyService(store, [v1], 'v1');
      for (let i = 0; i < 10; i++) await before.keyForWrite(`c_${i}`);
      // The first run dies after 4 keys (the progress callback throws, as a killed process would stop).
      const partial = new DataKeyService(store, [v1, v2], 'v2');
      let crashed = false;
      try {
        await partial.rotate((done) => { if (done === 4) throw new Error('crash'); });
      } catch { crashed = true; }
      expect(crashed).to.equal(true);
      expect((await partial.status()).byMasterVersion).to.deep.equal({ v1: 6, v2: 4 });
      const r2 = await partial.rotate();
      expect(r2).to.deep.include({ rewrapped: 6, alreadyCurrent: 4, failed: 0 });
      expect((await partial.status()).byMasterVersion).to.deep.equal({ v2: 10 });
      for (let i = 0; i < 10; i++) expect((await new DataKeyService(store, [v2], 'v2').keyForRead(`c_${i}.1`)).length).to.equal(32);
    });

    it('makes data unreadable once the key is destroyed (crypto-shredding)', async () => {
      const s = new DataKeyService(store, [v1], 'v1');
      const dk = await s.keyForWrite('c_gone');
      await s.destroy('c_gone');
      expect(await code(new DataKeyService(store, [v1], 'v1').keyForRead(dk.kid))).to.equal('ERR_CRYPTO_KEY_DESTROYED');
      expect(await code(s.keyForRead(dk.kid))).to.equal('ERR_CRYPTO_KEY_DESTROYED');
    });

    it('refuses a wrapped key whose record was tampered with', async () => {
      const s = new DataKeyService(store, [v1], 'v1');
      await s.keyForWrite('c_t');
      const rec = (await store.get('c_t'))!;
      const b = Buffer.from(rec.wrapped, 'base64');
      b[30] = b[30]! ^ 1;
      const bad: WrappedKeyRecord = { ...rec, wrapped: b.toString('base64') };
      await store.destroy('c_t');
      await store.putIfAbsent('c_t', bad);
      expect(await code(new DataKeyService(store, [v1], 'v1').keyForRead(rec.kid))).to.equal('ERR_CRYPTO_DECRYPT');
    });

    it('cannot unwrap a key whose master version is no longer configured', async () => {
      await new DataKeyService(store, [v1], 'v1').keyForWrite('c_old');
      expect(await code(new DataKeyService(store, [v2], 'v2').keyForRead('c_old.1'))).to.equal('ERR_CRYPTO_KEY_UNKNOWN');
    });
  });
}
