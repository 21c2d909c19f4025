import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { startRedis, type RedisProcess } from '../support/redis.js';
import { DataKeyService } from '../../guards/crypto/dataKeys.js';
import { RedisKeyStore } from '../../guards/crypto/keyStore.js';
import { openEnvelope, readEnvelopeHeader, sealEnvelope } from '../../guards/crypto/envelope.js';
import type { RedisCommands } from '../../guards/storage/redisClient.js';

const k = () => randomBytes(32).toString('base64');

describe('key rotation killed mid-way (CR-5)', function () {
  this.timeout(120000);
  let redis: RedisProcess;
  before(async () => { redis = await startRedis(); });
  after(async () => redis.stop());

  it('completes on a rerun after kill -9, and every sealed value still opens with the new master key alone', async () => {
    const c = (await redis.client()) as unknown as RedisCommands;
    const v1 = k(); const v2 = k();
    const key1 = new Uint8Array(Buffer.from(v1, 'base64'));
    const key2 = new Uint8Array(Buffer.from(v2, 'base64'));
    const before = new DataKeyService(new RedisKeyStore(c, 3600), [{ version: 'v1', key: key1 }], 'v1');
    const N = 4000;
    const sealed: [string, string][] = [];
    const owners = Array.from({ length: N }, (_, i) => `c_rot${i}`);
    for (let i = 0; i < N; i += 200) {
      const dks = await Promise.all(owners.slice(i, i + 200).map((o) => before.keyForWrite(o)));
      dks.forEach((dk, j) => { if ((i + j) % 97 === 0) sealed.push([owners[i + j]!, sealEnvelope(dk.key, dk.kid, `s/${owners[i + j]}`, Buffer.from(`v-${i + j}`))]); });
    }
    const env = { PATH: process.env.PATH!, REDIS_URL: redis.url, TRUSTLINE_MASTER_KEYS: `v1:${v1},v2:${v2}`, TRUSTLINE_ACTIVE_MASTER_KEY: 'v2', TRUSTLINE_KEYNAME_KEY: k(), TRUSTLINE_AUDIT_KEY: k(), TRUSTLINE_CODE_HASH_KEY: k(), TRUSTLINE_PII_HASH_KEY: k() };
    const status = async () => (await new DataKeyService(new RedisKeyStore(c, 3600), [{ version: 'v1', key: key1 }, { version: 'v2', key: key2 }], 'v2').status()).byMasterVersion;

    const proc = spawn(process.execPath, ['bin/trustline.js', 'keys', 'rotate'], { env, stdio: 'ignore' });
    const exited = new Promise((r) => proc.once('exit', r));
    // Kill as soon as part of the keys moved to v2, while others are still under v1.
    let partial: Record<string, number> = {};
    for (let i = 0; i < 600; i++) {
      partial = await status();
      if ((partial.v2 ?? 0) > 0) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    proc.kill('SIGKILL');
    await exited;
    partial = await status();
    expect(partial.v2 ?? 0, 'some keys rotated before the kill').to.be.greaterThan(0);
    expect(partial.v1 ?? 0, 'some keys left for the rerun').to.be.greaterThan(0);

    const rerun = spawn(process.execPath, ['bin/trustline.js', 'keys', 'rotate'], { env, stdio: 'ignore' });
    expect(await new Promise((r) => rerun.once('exit', r))).to.equal(0);
    expect(await status()).to.deep.equal({ v2: N });
    const onlyV2 = new DataKeyService(new RedisKeyStore(c, 3600), [{ version: 'v2', key: key2 }], 'v2');
    for (const [owner, e] of sealed) {
      const h = readEnvelopeHeader(e, 1 << 20);
      expect(Buffer.from(openEnvelope(await onlyV2.keyForRead(h.kid), h, `s/${owner}`)).toString()).to.match(/^v-\d+$/);
    }
  });
});
