import { expect } from 'chai';
import type { RedisClientType } from 'redis';
import { key, startApp, turn, type RunningApp } from '../support/app.js';
import { startRedis, type RedisProcess } from '../support/redis.js';
import { ConnectorStub, StaffClient, TestClock, createStaff, type StaffUser } from '../handoff/support.js';
import { loadConfig } from '../../config.js';
import { JAN, MAR, expectedCounts, seedBreachRecords, type Seeded } from '../../bench/breachScope.js';
import type { ScopeQuery, ScopeResult } from '../../compliance/scope.js';
import { runIncidentOpen, runIncidentPropose } from '../../cli/commands/incident.js';

/**
 * Breach response on a Redis of its own: 100,000 sealed records across two master key versions and two windows,
 * exact per-subject counts from the scoping query (its speed is a benchmark figure, not asserted here); four-eyes
 * notification and key revocation through the console, with the CLI-less console path a second admin must approve.
 */
describe('breach response: scoping 100,000 records, notices through the bot, four-eyes key actions', function () {
  this.timeout(180000);
  let redis: RedisProcess;
  let client: RedisClientType;
  let a: RunningApp;
  let stub: ConnectorStub;
  let seeded: Seeded;
  const clock = new TestClock();
  let officer: StaffUser;
  let adminA: StaffUser;
  let adminB: StaffUser;
  let co: StaffClient;
  let ca: StaffClient;
  let cb: StaffClient;

  before(async () => {
    redis = await startRedis();
    client = await redis.client();
    stub = await new ConnectorStub().start();
    a = await startApp({ REDIS_URL: redis.url, CONSENT_PRESET: 'keep', TRUSTLINE_MASTER_KEYS: `v1:${key()},v2:${key()}`, TRUSTLINE_ACTIVE_MASTER_KEY: 'v2', RETENTION_SWEEP_MINUTES: '0' }, { clock });
    seeded = await seedBreachRecords({ redis: client, masters: [...loadConfig(a.env).secrets.masterKeys], conversations: 2000, entries: 50 });
    [officer, adminA, adminB] = [await createStaff(a, ['compliance']), await createStaff(a, ['admin']), await createStaff(a, ['admin'])];
    clock.advance(31_000);
    co = new StaffClient(a.url); await co.login(officer, clock.now());
    ca = new StaffClient(a.url); await ca.login(adminA, clock.now());
    cb = new StaffClient(a.url); await cb.login(adminB, clock.now());
  });
  after(async () => { await a?.stop(); await stub?.stop(); await redis?.stop(); });

  async function incident(cl: StaffClient, extra: Record<string, unknown> = {}): Promise<string> {
    const r = await cl.req('POST', '/api/staff/incidents', { title: 'Backup bucket readable by a contractor account', detectedAt: '2026-03-21T08:00:00Z', awareAt: '2026-03-21T10:30:00Z', dataClasses: ['transcripts'], ...extra });
    expect(r.status, r.text).to.equal(201);
    return String(r.json.id);
  }
  async function scope(cl: StaffClient, id: string, q: Omit<ScopeQuery, 'classes'>): Promise<ScopeResult> {
    const r = await cl.req('POST', `/api/staff/incidents/${id}/scope`, { ...q, classes: ['transcripts'] });
    expect(r.status, r.text).to.equal(200);
    return r.json as unknown as ScopeResult;
  }
  const asMap = (r: ScopeResult) => new Map(r.subjects.map((s) => [s.subject, s.counts.transcripts ?? 0]));

  it('records the incident with aware_at and due = aware_at + 72 h, PII-free', async () => {
    const r = await co.req('POST', '/api/staff/incidents', { title: 'Laptop of avery.lee@example.org lost', detectedAt: '2026-03-21T08:00:00Z', awareAt: '2026-03-21T10:30:00Z', dataClasses: ['transcripts', 'handoff'] });
    expect(r.status).to.equal(201);
    expect(r.json).to.include({ awareAt: '2026-03-21T10:30:00.000Z', due: '2026-03-24T10:30:00.000Z', status: 'open' });
    expect(r.text).to.not.contain('avery.lee@example.org');
    const v = await co.req('GET', `/api/staff/incidents/${String(r.json.id)}`);
    const notices = v.json.notices as Record<string, string>;
    expect(Object.keys(notices).sort()).to.deep.equal(['de', 'en', 'es', 'fr']);
    expect(notices.de).to.contain('2026-03-21').and.contain('Chatverläufe');
  });

  it('returns exact counts per subject over the 100,000 seeded records by master version, window, both, and data keys', async () => {
    expect(seeded.records).to.equal(100_000);
    const id = await incident(co);
    const cases: Omit<ScopeQuery, 'classes'>[] = [
      { masterVersion: 'v1' },
      { from: JAN.from, to: JAN.to },
      { from: JAN.from, to: JAN.to, masterVersion: 'v2' },
      { from: MAR.from, to: MAR.to, masterVersion: 'v1' },
      { dataKeys: seeded.conversations.filter((_, i) => i % 97 === 0 || i >= 1990).map((c) => c.kid) },
    ];
    for (const q of cases) {
      const r = await scope(co, id, q);
      const want = expectedCounts(seeded, { ...q, classes: ['transcripts'] });
      // Only the seeded conversations (the app's own test turns are elsewhere in time and keys).
      const got = new Map([...asMap(r)].filter(([s]) => seeded.conversations.some((c) => c.owner === s)));
      expect(got.size, JSON.stringify(q)).to.equal(want.size);
      expect([...got].sort(), JSON.stringify(q)).to.deep.equal([...want].sort());
    }
    // The straddling conversations count only their in-window half.
    const straddler = seeded.conversations[1999]!;
    const jan = await scope(co, id, { from: JAN.from, to: JAN.to });
    expect(asMap(jan).get(straddler.owner)).to.equal(25);
  });

  it('a revocation without a second approval does nothing; the proposer cannot approve it; a different admin can', async () => {
    const id = await incident(ca, { masterVersions: ['v1'] });
    const before = await a.app.keys.status();
    expect(before.byMasterVersion.v1).to.equal(1000);
    const p = await ca.req('POST', `/api/staff/incidents/${id}/actions`, { kind: 'revoke_master', masterVersion: 'v1' });
    expect(p.status, p.text).to.equal(201);
    expect(p.json).to.include({ status: 'proposed', proposedBy: adminA.id, via: 'console' });
    // Proposed only: nothing moved.
    expect((await a.app.keys.status()).byMasterVersion.v1).to.equal(1000);
    const self = await ca.req('POST', `/api/staff/actions/${String(p.json.id)}/approve`);
    expect([self.status, self.json.error]).to.deep.equal([409, 'second_admin_required']);
    expect((await a.app.keys.status()).byMasterVersion.v1).to.equal(1000);
    // A compliance officer is not an admin: refused by the matrix.
    expect((await co.req('POST', `/api/staff/actions/${String(p.json.id)}/approve`)).status).to.equal(403);
    const ok = await cb.req('POST', `/api/staff/actions/${String(p.json.id)}/approve`);
    expect(ok.status, ok.text).to.equal(200);
    expect(ok.json).to.include({ status: 'executed', approvedBy: adminB.id });
    expect((await a.app.keys.status()).byMasterVersion.v1 ?? 0).to.equal(0);
    // Data sealed under re-wrapped keys still opens; the approval cannot run twice.
    const again = await cb.req('POST', `/api/staff/actions/${String(p.json.id)}/approve`);
    expect(again.status).to.equal(409);
    const one = seeded.conversations[3]!;
    const { entries, unreadable } = await a.app.transcripts.list(one.owner);
    expect([entries.length, unreadable]).to.deep.equal([50, 0]);
    const audit = ((await client.xRange('tl:audit', '-', '+')) ?? []).map((e) => e.message).filter((e) => e.object === p.json.id);
    expect(audit.map((e) => e.type)).to.include.members(['incident.action_proposed', 'incident.action_refused', 'incident.action_approved', 'incident.action_executed']);
  });

  it('replaces a compromised data key and re-encrypts its transcripts after the second approval', async () => {
    const target = seeded.conversations[10]!;
    const id = await incident(ca);
    const p = await ca.req('POST', `/api/staff/incidents/${id}/actions`, { kind: 'replace_keys', dataKeys: [target.kid] });
    expect(p.status).to.equal(201);
    expect((await a.app.transcripts.list(target.owner)).entries).to.have.length(50);
    const ok = await cb.req('POST', `/api/staff/actions/${String(p.json.id)}/approve`);
    expect(ok.json).to.include({ status: 'executed' });
    expect(ok.json.result).to.deep.equal({ replaced: 1, resealed: 50 });
    const raw = Object.values(await client.hGetAll(`tl:tx:{${target.owner}}`));
    for (const env of raw) expect(Buffer.from(env, 'base64').subarray(2, 2 + Buffer.from(env, 'base64')[1]!).toString()).to.equal(`${target.owner}.2`);
    const after = await a.app.transcripts.list(target.owner);
    expect([after.entries.length, after.unreadable]).to.deep.equal([50, 0]);
    // Nothing sealed under the old key is left to find.
    const r = await scope(co, id, { dataKeys: [target.kid] });
    expect(r.records).to.equal(0);
  });

  it('the CLI can only propose: its proposal changes nothing until an admin approves it in the console', async () => {
    const sink = { write: () => true } as unknown as NodeJS.WritableStream;
    const loaded = loadConfig(a.env);
    const target = seeded.conversations[20]!;
    const id = await runIncidentOpen(loaded, { title: 'Key material seen in a support ticket', detected: '2026-03-22T08:00:00Z', aware: '2026-03-22T09:00:00Z', classes: 'transcripts', dataKeys: target.kid }, sink);
    const act = await runIncidentPropose(loaded, { id, kind: 'replace_keys', dataKeys: target.kid }, sink);
    const raw = () => client.get(`tl:key:{${target.owner}}`).then((v) => (JSON.parse(v!) as { kid: string }).kid);
    expect(await raw()).to.equal(target.kid);
    const v = await ca.req('GET', `/api/staff/incidents/${id}`);
    expect((v.json.actions as { id: string; via: string; status: string }[])[0]).to.include({ id: act, via: 'cli', status: 'proposed' });
    const ok = await ca.req('POST', `/api/staff/actions/${act}/approve`);
    expect(ok.json).to.include({ status: 'executed', approvedBy: adminA.id });
    expect(await raw()).to.equal(`${target.owner}.2`);
  });

  it('notifies exactly the affected conversations through the bot after the second approval, once, recording when', async () => {
    const say = (conv: string, text: string) => turn(a.url, text, { conversationId: conv, userId: `u-${conv}`, extra: { serviceUrl: stub.url, locale: conv.endsWith('de') ? 'de-DE' : 'en-US' } });
    const since = new Date(Date.now() - 1000).toISOString();
    await say('br-affected-en', 'where is my order');
    await say('br-affected-de', 'wo ist meine Bestellung');
    const until = new Date(Date.now() + 1000).toISOString();
    await new Promise((r) => setTimeout(r, 1100));
    await say('br-later', 'help');
    const id = await incident(ca);
    await scope(ca, id, { from: since, to: until });
    const p = await ca.req('POST', `/api/staff/incidents/${id}/actions`, { kind: 'notify' });
    expect(p.status, p.text).to.equal(201);
    const sentBefore = stub.posted.length;
    expect((await ca.req('POST', `/api/staff/actions/${String(p.json.id)}/approve`)).status).to.equal(409);
    expect(stub.posted.length).to.equal(sentBefore);
    const ok = await cb.req('POST', `/api/staff/actions/${String(p.json.id)}/approve`);
    expect(ok.json).to.include({ status: 'executed' });
    expect(ok.json.result).to.deep.equal({ sent: 2, failed: 0, alreadyNotified: 0 });
    const texts = stub.posted.slice(sentBefore);
    expect(texts.map((x) => x.conversationId).sort()).to.deep.equal(['br-affected-de', 'br-affected-en']);
    expect(String(texts.find((x) => x.conversationId === 'br-affected-de')!.activity.text)).to.match(/^Wichtiger Hinweis/).and.contain(id);
    expect(String(texts.find((x) => x.conversationId === 'br-affected-en')!.activity.text)).to.match(/^Important notice/);
    const v = await co.req('GET', `/api/staff/incidents/${id}`);
    const notified = v.json.notified as { conversation: string; at: string }[];
    expect(notified.map((n) => n.conversation).sort()).to.deep.equal(['br-affected-de', 'br-affected-en'].map((c) => a.app.pseudonyms.conversationOwner('test', c)).sort());
    expect((v.json.incident as { status: string }).status).to.equal('notified');
    // A second notification run sends nothing twice.
    const p2 = await ca.req('POST', `/api/staff/incidents/${id}/actions`, { kind: 'notify' });
    const again = await cb.req('POST', `/api/staff/actions/${String(p2.json.id)}/approve`);
    expect(again.json.result).to.deep.equal({ sent: 0, failed: 0, alreadyNotified: 2 });
  });
});
