import { expect } from 'chai';
import type { RedisClientType } from 'redis';
import { startApp, turn, type RunningApp } from '../support/app.js';
import { startRedis, type RedisProcess } from '../support/redis.js';
import { StaffClient, TestClock, createStaff } from '../handoff/support.js';
import { verifyChain } from '../../guards/audit/verify.js';

/** Retention with a short test policy and an injected clock (RET-1): nothing is slept on. */
describe('retention sweep (short policy, injected clock)', function () {
  this.timeout(60000);
  let redis: RedisProcess;
  let client: RedisClientType;
  let a: RunningApp;
  const clock = new TestClock();

  before(async () => {
    redis = await startRedis();
    client = await redis.client();
    a = await startApp({ REDIS_URL: redis.url, CONSENT_PRESET: 'keep', RETENTION_TRANSCRIPT_SECONDS: '60', RETENTION_AUDIT_SECONDS: '120', RETENTION_SWEEP_MINUTES: '0' }, { clock });
  });
  after(async () => { await a?.stop(); await redis?.stop(); });

  it('keeps what is within the policy, purges what is past it, checkpoints the audit head, and reports counts only', async () => {
    const cOld = a.app.pseudonyms.conversationOwner('test', 'ret-old');
    // Transcript times are the turn's own (wall clock); the sweep runs on the injected clock, started here.
    clock.t = Date.now();
    await turn(a.url, 'where is my order', { conversationId: 'ret-old', userId: 'u-ret-old' });
    const sweep = a.app.compliance!.retention;

    clock.advance(30_000);
    const early = (await sweep.sweep())!;
    expect(early.counts).to.include({ transcripts: 0, audit: 0 });
    expect(await client.exists(`tl:tx:{${cOld}}`)).to.equal(1);

    // A personal-data key that somehow lost its TTL gets the class's TTL back (never shortened otherwise).
    await client.hSet('tl:state:{stray}', { v: '{}' });
    clock.advance(31_000);
    const r = (await sweep.sweep())!;
    expect(r.counts.transcripts).to.equal(1);
    expect(r.counts.ttlApplied).to.be.at.least(1);
    expect(await client.exists(`tl:tx:{${cOld}}`)).to.equal(0);
    expect(await client.exists(`tl:txm:{${cOld}}`)).to.equal(0);
    expect(await client.zScore('tl:tx:index', cOld)).to.equal(null);
    const ttl = await client.ttl('tl:state:{stray}');
    expect(ttl).to.be.greaterThan(0).and.at.most(30 * 86400);

    // Audit: entries older than 120 s leave through a checkpoint; the chain still verifies from it.
    const before = await a.app.audit.entries();
    clock.advance(121_000);
    const r2 = (await sweep.sweep())!;
    expect(r2.counts.audit).to.be.greaterThan(0);
    const after = await a.app.audit.entries();
    expect(after.length).to.be.lessThan(before.length + 2);
    expect(after.some((e) => e.fields.type === 'audit.checkpoint')).to.equal(true);
    const head = await a.app.audit.head();
    const v = verifyChain(after, Buffer.from(a.env.TRUSTLINE_AUDIT_KEY!, 'base64'), head ? { head } : {});
    expect(v.ok, JSON.stringify(v.problem)).to.equal(true);
    expect(v.startedAt).to.be.greaterThan(0);

    // The purge report is in the audit log (counts, no identifiers) and on the retention page's API.
    const reports = after.filter((e) => e.fields.type === 'retention.purged');
    expect(reports.at(-1)!.fields.outcome).to.match(/^transcripts:\d+\|audit:\d+\|ttlApplied:\d+$/);
    const officer = await createStaff(a, ['compliance']);
    const c = new StaffClient(a.url);
    await c.login(officer, clock.now());
    const page = await c.req('GET', '/api/staff/compliance/retention');
    expect(page.status).to.equal(200);
    expect((page.json.policy as Record<string, { seconds: number }>).transcripts!.seconds).to.equal(60);
    expect((page.json.policy as Record<string, { seconds: number }>).audit!.seconds).to.equal(120);
    expect((page.json.last as { counts: Record<string, number> }).counts).to.deep.equal(r2.counts);
  });
});
