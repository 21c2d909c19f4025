import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { sharedRedis } from '../support/redis.js';
import { DataKeyService } from '../../guards/crypto/dataKeys.js';
import { RedisKeyStore } from '../../guards/crypto/keyStore.js';
import type { RedisCommands } from '../../guards/storage/redisClient.js';
import { cli } from '../support/cli.js';


const k = () => randomBytes(32).toString('base64');

/** An empty shared Redis with `count` data keys wrapped by master v1, and settings naming v1 and v2 (v2 active). */
async function seedDataKeys(count: number, prefix: string) {
  const redis = await sharedRedis();
  const c = await redis.client();
  await c.flushDb();
  const v1 = k(); const v2 = k();
  const purpose = { TRUSTLINE_KEYNAME_KEY: k(), TRUSTLINE_AUDIT_KEY: k(), TRUSTLINE_CODE_HASH_KEY: k(), TRUSTLINE_PII_HASH_KEY: k() };
  const svc = new DataKeyService(new RedisKeyStore(c as unknown as RedisCommands, 600), [{ version: 'v1', key: new Uint8Array(Buffer.from(v1, 'base64')) }], 'v1');
  for (let i = 0; i < count; i++) await svc.keyForWrite(`${prefix}${i}`);
  const env = { REDIS_URL: redis.url, TRUSTLINE_MASTER_KEYS: `v1:${v1},v2:${v2}`, TRUSTLINE_ACTIVE_MASTER_KEY: 'v2', ...purpose };
  return { env, c, v1, v2 };
}

describe('trustline CLI', function () {
  this.timeout(60000);

  it('prints a fresh 32-byte key', async () => {
    const a = await cli(['keys', 'new']);
    const b = await cli(['keys', 'new']);
    expect(a.code).to.equal(0);
    expect(Buffer.from(a.stdout.trim(), 'base64')).to.have.length(32);
    expect(a.stdout).to.not.equal(b.stdout);
  });

  it('rotates data keys to a new master version, reports status without key bytes, and a rerun is a no-op', async () => {
    const { env, v1, v2 } = await seedDataKeys(7, 'c_');
    const before = await cli(['keys', 'status', '--json'], env);
    expect(JSON.parse(before.stdout)).to.deep.include({ active: 'v2', total: 7, byMasterVersion: { v1: 7 } });
    const rot = await cli(['keys', 'rotate'], env);
    expect(rot.code).to.equal(0);
    expect(rot.stdout).to.match(/7 re-wrapped, 0 already current, 0 failed/);
    expect((await cli(['keys', 'rotate'], env)).stdout).to.match(/0 re-wrapped, 7 already current/);
    const after = await cli(['keys', 'status'], env);
    expect(after.stdout).to.match(/wrapped by v2: 7/);
    for (const out of [before.stdout, rot.stdout, after.stdout]) { expect(out).to.not.include(v1); expect(out).to.not.include(v2); }
  });

  it('audits a rotation in the hash-chained log: who, from and to versions, counts, never key bytes', async () => {
    const { env, c, v1, v2 } = await seedDataKeys(3, 'c_a');
    const audited = async () => ((await c.xRange('tl:audit', '-', '+')) ?? []).flatMap((e) => (e ? [e.message as Record<string, string>] : [])).filter((m) => m.type === 'keys.rotated');
    expect(await audited()).to.deep.equal([]);
    const rot = await cli(['keys', 'rotate', '--actor', 'st_admin7'], env);
    expect(rot.code, rot.stderr).to.equal(0);
    const [started, done] = await audited();
    expect(started).to.include({ type: 'keys.rotated', actor: 'st_admin7', method: 'rewrap', object: 'v2', purpose: 'v1', outcome: 'started', count: '3' });
    expect(done).to.include({ type: 'keys.rotated', actor: 'st_admin7', object: 'v2', purpose: 'v1', outcome: 'completed', count: '3', reason: 'current_0_failed_0' });
    expect(Date.parse(done!.at!)).to.be.closeTo(Date.now(), 60_000);
    // Without --actor: the operator's login name. A rerun moves nothing and says so.
    const again = await cli(['keys', 'rotate'], env);
    expect(again.code).to.equal(0);
    const last = (await audited()).pop()!;
    expect(last).to.include({ outcome: 'completed', count: '0', purpose: 'none', reason: 'current_3_failed_0' });
    expect(last.actor).to.match(/^os:[A-Za-z0-9_.:-]+$/);
    const dump = JSON.stringify(await c.xRange('tl:audit', '-', '+'));
    for (const secret of [v1, v2, env.TRUSTLINE_KEYNAME_KEY, env.TRUSTLINE_AUDIT_KEY, env.TRUSTLINE_CODE_HASH_KEY, env.TRUSTLINE_PII_HASH_KEY]) expect(dump).to.not.include(secret);
    // The chain stays intact (the CLI appends with the audit key like the bot does).
    const verify = await cli(['audit', 'verify'], env);
    expect(verify.code, verify.stdout).to.equal(0);
    // An actor that is not a plain word is refused before anything runs.
    const bad = await cli(['keys', 'rotate', '--actor', 'Jane Doe <jane@example.com>'], env);
    expect(bad.code).to.equal(2);
    expect(bad.stderr).to.match(/--actor/);
    expect((await audited()).length).to.equal(4);
  });

  it('refuses to manage keys of the embedded store with a clear message', async () => {
    const r = await cli(['keys', 'status'], { TRUSTLINE_DEV_KEY_FILE: `/tmp/tl-cli-${process.pid}.json` });
    expect(r.code).to.not.equal(0);
    expect(r.stderr).to.match(/embedded store/);
  });

  it('redacts the issue\'s German example: name, birth date and IBAN replaced', async () => {
    const line = '{"id":"1","locale":"de-DE","text":"Ich bin Jana Krüger, geboren am 3. Mai 1988, IBAN DE89 3704 0044 0532 0130 00"}';
    const r = await cli(['redact'], {}, `${line}\n`);
    expect(r.code).to.equal(0);
    const out = JSON.parse(r.stdout.trim()) as { id: string; text: string; findings: { type: string }[] };
    expect(out.id).to.equal('1');
    expect(out.text).to.equal('Ich bin [PERSON_1], geboren am [DATE_OF_BIRTH_1], IBAN [IBAN_1]');
    expect(out.findings.map((f) => f.type)).to.deep.equal(['PERSON', 'DATE_OF_BIRTH', 'IBAN']);
  });
});
