import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, type RedisClientType } from 'redis';
import { loadConfig, type LoadedConfig } from '../../../config.js';
import { auditHeadKey, RedisStreamAuditLog, type AuditEvent } from '../../../guards/audit/auditLog.js';
import { runAuditAnchor, runAuditVerify, verifyAudit } from '../../../cli/commands/audit.js';
import { sharedRedis } from '../../support/redis.js';
import { testEnv } from '../../support/app.js';

/**
 * Tamper tests on a real Redis (AUD-2): each attack is done the way someone with Redis access would do it (rewrite
 * the stream with the original ids, XDEL, fix up the head record) and `trustline audit verify` must name the entry.
 */
class Sink { text = ''; write(s: string) { this.text += s; return true; } }

describe('audit hash chain: verify and anchors against tampering on a real Redis', function () {
  this.timeout(60000);
  let client: RedisClientType;
  let env: Record<string, string | undefined>;
  let loaded: LoadedConfig;
  let n = 0;

  before(async () => {
    const r = await sharedRedis();
    client = createClient({ url: r.url, socket: { reconnectStrategy: false } }) as RedisClientType;
    await client.connect();
    env = testEnv({ REDIS_URL: r.url });
    loaded = loadConfig(env);
  });
  after(async () => { client.destroy(); });

  const ev = (i: number): AuditEvent => ({ type: 'consent.given', at: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(), subject: `sp_subject${i}`, outcome: 'keep' });

  /** A fresh stream with `count` events (positions 1..count after the genesis 0). */
  async function chain(count: number): Promise<{ stream: string; log: RedisStreamAuditLog }> {
    const stream = `tl:audit:t${++n}:${Date.now()}`;
    const log = new RedisStreamAuditLog(client, stream, { chainKey: loaded.secrets.auditKey, instance: 'test' });
    for (let i = 1; i <= count; i++) await log.append(ev(i));
    return { stream, log };
  }

  /** What an attacker with write access does to change history: rebuild the stream under the same ids. */
  async function rewrite(stream: string, edit: (rows: { id: string; message: Record<string, string> }[]) => { id: string; message: Record<string, string> }[]): Promise<void> {
    const rows = ((await client.xRange(stream, '-', '+')) ?? []).map((r) => ({ id: r.id, message: { ...(r.message as Record<string, string>) } }));
    const next = edit(rows);
    await client.del(stream);
    for (const r of next) await client.xAdd(stream, r.id, r.message);
  }

  async function verify(stream: string, anchor?: string): Promise<{ code: number; text: string }> {
    const out = new Sink();
    const code = await runAuditVerify(loaded, { stream, ...(anchor ? { anchor } : {}) }, out as unknown as NodeJS.WritableStream);
    return { code, text: out.text };
  }

  it('an untouched chain verifies (exit 0)', async () => {
    const { stream } = await chain(8);
    const r = await verify(stream);
    expect(r.code).to.equal(0);
    expect(r.text).to.match(/intact: 9 entries checked \(positions 0\.\.8\)/);
  });

  it('names a changed field: entry 5 (exit 1)', async () => {
    const { stream } = await chain(8);
    await rewrite(stream, (rows) => { rows[5]!.message.outcome = 'dont_keep'; return rows; });
    const r = await verify(stream);
    expect(r.code).to.equal(1);
    expect(r.text).to.contain('entry 5').and.contain('was changed');
  });

  it('names a deleted entry: entry 4 was removed (exit 1)', async () => {
    const { stream } = await chain(8);
    const rows = (await client.xRange(stream, '-', '+')) ?? [];
    await client.xDel(stream, rows[4]!.id);
    const r = await verify(stream);
    expect(r.code).to.equal(1);
    expect(r.text).to.contain('entry 4').and.contain('was removed');
  });

  it('names swapped entries: entry 3 is out of order (exit 1)', async () => {
    const { stream } = await chain(8);
    await rewrite(stream, (rows) => {
      const a = rows[3]!.message; rows[3]!.message = rows[6]!.message; rows[6]!.message = a;
      return rows;
    });
    const r = await verify(stream);
    expect(r.code).to.equal(1);
    expect(r.text).to.contain('entry 3').and.contain('out of order');
  });

  it('catches a tail cut after an anchor even when the head record was fixed up (exit 1); the head alone catches a naive cut', async () => {
    const { stream, log } = await chain(6);
    const dir = mkdtempSync(join(tmpdir(), 'tl-anchor-'));
    const file = join(dir, 'anchors.jsonl');
    await runAuditAnchor(loaded, { stream, out: file }, new Sink() as unknown as NodeJS.WritableStream);
    for (let i = 7; i <= 10; i++) await log.append(ev(i));
    await runAuditAnchor(loaded, { stream, out: file }, new Sink() as unknown as NodeJS.WritableStream);
    expect((await verify(stream, file)).code).to.equal(0);

    const rows = (await client.xRange(stream, '-', '+')) ?? [];
    // Naive cut: the last three entries go; the head record still says 10.
    await client.xDel(stream, rows.slice(8).map((x) => x.id));
    const naive = await verify(stream);
    expect(naive.code).to.equal(1);
    expect(naive.text).to.contain('chain was cut: entry 8');
    // Careful attacker: the head record now matches the new last entry; only the anchor knows better.
    const last = rows[7]!;
    await client.hSet(auditHeadKey(stream), { seq: last.message.seq!, h: last.message.h!, id: last.id });
    expect((await verify(stream)).code).to.equal(0);
    const anchored = await verify(stream, file);
    expect(anchored.code).to.equal(1);
    expect(anchored.text).to.contain('chain was cut: entry 8');
    // An edited anchor file is refused rather than trusted.
    writeFileSync(file, JSON.stringify({ stream, seq: 7, hash: last.message.h, at: new Date().toISOString(), mac: 'forged' }) + '\n');
    try { await verifyAudit(loaded, { stream, anchor: file }); expect.fail('forged anchor accepted'); } catch (e) { expect((e as Error).message).to.contain('not valid'); }
  });

  it('chains appends from several instances racing on one stream', async () => {
    const stream = `tl:audit:race:${Date.now()}`;
    const clients = await Promise.all([0, 1, 2].map(async () => {
      const c = createClient({ url: (await sharedRedis()).url, socket: { reconnectStrategy: false } }) as RedisClientType;
      await c.connect();
      return c;
    }));
    const logs = clients.map((c, i) => new RedisStreamAuditLog(c, stream, { chainKey: loaded.secrets.auditKey, instance: `bot-${i}` }));
    await Promise.all(Array.from({ length: 90 }, (_, i) => logs[i % 3]!.append(ev(i))));
    for (const c of clients) c.destroy();
    const rows = (await client.xRange(stream, '-', '+')) ?? [];
    expect(rows).to.have.length(91);
    expect(rows.map((r) => Number(r.message.seq))).to.deep.equal(Array.from({ length: 91 }, (_, i) => i));
    expect(new Set(rows.map((r) => r.message.inst))).to.have.property('size', 3);
    expect((await verify(stream)).code).to.equal(0);
  });

  it('seals entries written before the chain under the genesis; changing one of them is caught', async () => {
    const stream = `tl:audit:legacy:${Date.now()}`;
    for (let i = 0; i < 3; i++) await client.xAdd(stream, '*', { type: 'consent.given', at: ev(i).at, outcome: 'keep' });
    const log = new RedisStreamAuditLog(client, stream, { chainKey: loaded.secrets.auditKey });
    await log.append(ev(9));
    const rows = (await client.xRange(stream, '-', '+')) ?? [];
    expect(rows[3]!.message).to.include({ type: 'audit.genesis', seq: '0', count: '3', through: rows[2]!.id });
    expect((await verify(stream)).code).to.equal(0);
    await rewrite(stream, (rs) => { rs[1]!.message.outcome = 'dont_keep'; return rs; });
    const r = await verify(stream);
    expect(r.code).to.equal(1);
    expect(r.text).to.contain('sealed by the genesis');
  });

  it('retention trims the head only through a checkpoint, which verify accepts; removing more than it covers is caught', async () => {
    const { stream, log } = await chain(10);
    const r0 = await log.trimThrough(4, new Date().toISOString());
    expect(r0.removed).to.equal(5); // genesis + 1..4
    const ok = await verify(stream);
    expect(ok.code, ok.text).to.equal(0);
    expect(ok.text).to.contain('positions 5..11');
    const rows = (await client.xRange(stream, '-', '+')) ?? [];
    await client.xDel(stream, rows[0]!.id); // entry 5 goes without a checkpoint
    const bad = await verify(stream);
    expect(bad.code).to.equal(1);
    expect(bad.text).to.contain('entry 5').and.contain('removed');
  });

  it('the installed command exits non-zero on a tampered chain', async () => {
    const { stream } = await chain(3);
    await rewrite(stream, (rows) => { rows[2]!.message.subject = 'sp_someoneElse'; return rows; });
    // The CLI verifies `tl:audit`; point it at this stream through a copy under that name on a private Redis db.
    const db = 7;
    const url = `${env.REDIS_URL}/${db}`;
    const c7 = createClient({ url, socket: { reconnectStrategy: false } }) as RedisClientType;
    await c7.connect();
    await c7.flushDb();
    for (const r of (await client.xRange(stream, '-', '+')) ?? []) await c7.xAdd('tl:audit', r.id, r.message as Record<string, string>);
    c7.destroy();
    const child = spawn(process.execPath, ['bin/trustline.js', 'audit', 'verify'], { env: { ...(env as Record<string, string>), REDIS_URL: url, PATH: process.env.PATH! }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    expect(out).to.contain('entry 2').and.contain('changed');
    expect(code).to.equal(1);
  });
});
