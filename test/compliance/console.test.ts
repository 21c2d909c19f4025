import { expect } from 'chai';
import type { RedisClientType } from 'redis';
import { startApp, turn, type RunningApp } from '../support/app.js';
import { startRedis, dumpRedis, type RedisProcess } from '../support/redis.js';
import { ConnectorStub, StaffClient, TestClock, createStaff, type StaffUser } from '../handoff/support.js';
import { verifyChain } from '../../guards/audit/verify.js';
import { STAFF_CSP } from '../../staff/pages.js';

const CANARY_EMAIL = 'canary.compliance.k4@example.org';
const CANARY_IBAN = 'DE89370400440532013000';
const OPT_OUT = 'do not sell my data';

/**
 * The compliance console over HTTP against a Redis of its own (so the audit chain holds only this app's entries and
 * its verification is meaningful): search, redacted transcript with findings, audited views and exports, requests,
 * audit view with the chain badge, no unredacted text anywhere in any payload.
 */
describe('compliance console API (redacted, audited, chain-verified)', function () {
  this.timeout(120000);
  let redis: RedisProcess;
  let client: RedisClientType;
  let a: RunningApp;
  let stub: ConnectorStub;
  const clock = new TestClock();
  let officer: StaffUser;
  let admin: StaffUser;
  let c: StaffClient;
  const bodies: string[] = [];

  const cOf = (id: string) => a.app.pseudonyms.conversationOwner('test', id);
  const get = async (cl: StaffClient, path: string) => { const r = await cl.req('GET', path); bodies.push(r.text); return r; };

  before(async () => {
    redis = await startRedis();
    client = await redis.client();
    stub = await new ConnectorStub().start();
    a = await startApp({ REDIS_URL: redis.url, CONSENT_PRESET: 'keep', RETENTION_SWEEP_MINUTES: '0' }, { clock });
    officer = await createStaff(a, ['compliance']);
    admin = await createStaff(a, ['admin']);
    const say = (id: string, text: string) => turn(a.url, text, { conversationId: id, userId: `u-${id}`, extra: { serviceUrl: stub.url, locale: 'en-US' } });
    await say('cc-canary', `Hello, my email is ${CANARY_EMAIL} and my IBAN is ${CANARY_IBAN}`);
    await say('cc-canary', 'where is my order');
    await say('cc-plain', 'help');
    await say('cc-escalated', 'I want to talk to a person');
    c = new StaffClient(a.url);
    clock.advance(31_000);
    await c.login(officer, clock.now());
  });
  after(async () => { await a?.stop(); await stub?.stop(); await redis?.stop(); });

  it('serves the console pages with the strict CSP, no-store and no inline script', async () => {
    for (const p of ['/staff/compliance', '/staff/retention']) {
      const r = await c.req('GET', p);
      expect(r.status, p).to.equal(200);
      expect(r.headers.get('content-security-policy')).to.equal(STAFF_CSP);
      expect(r.headers.get('cache-control')).to.equal('no-store');
      expect(r.text).to.not.match(/<script>|<script[^>]*>[^<]+<\/script>|\son[a-z]+=/i);
    }
    for (const f of ['compliance.js', 'retention.js']) {
      const r = await fetch(`${a.url}/staff/static/${f}`);
      const js = await r.text();
      expect(js).to.not.match(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(/);
    }
  });

  it('finds conversations by date range, channel and escalation; reads the transcript redacted with findings (no values)', async () => {
    const from = new Date(Date.now() - 3600_000).toISOString();
    const all = await get(c, `/api/staff/compliance/conversations?from=${encodeURIComponent(from)}&channel=test`);
    expect(all.status).to.equal(200);
    const ids = (all.json.items as { id: string }[]).map((x) => x.id);
    expect(ids).to.include.members([cOf('cc-canary'), cOf('cc-plain'), cOf('cc-escalated')]);
    const esc = await get(c, '/api/staff/compliance/conversations?escalated=yes');
    expect((esc.json.items as { id: string }[]).map((x) => x.id)).to.deep.equal([cOf('cc-escalated')]);
    const none = await get(c, `/api/staff/compliance/conversations?to=${encodeURIComponent(from)}`);
    expect(none.json.items).to.deep.equal([]);

    const v = await get(c, `/api/staff/compliance/conversations/${cOf('cc-canary')}`);
    expect(v.status).to.equal(200);
    const entries = v.json.entries as { text?: string; findings: { type: string; operator: string }[] }[];
    const first = entries.find((e) => e.findings.length)!;
    expect(first.text).to.match(/\[EMAIL_1\]/);
    expect(first.findings.map((f) => f.type)).to.include.members(['EMAIL', 'IBAN']);
    expect(Object.keys(first.findings[0]!).sort()).to.deep.equal(['end', 'field', 'operator', 'recognizer', 'start', 'type']);
    expect(v.text).to.not.contain(CANARY_EMAIL).and.not.contain(CANARY_IBAN);
  });

  it('audits every transcript view and export with who and what, and answers another id like a missing one', async () => {
    const before = ((await client.xRange('tl:audit', '-', '+')) ?? []).length;
    await get(c, `/api/staff/compliance/conversations/${cOf('cc-plain')}`);
    const ex = await get(c, `/api/staff/compliance/conversations/${cOf('cc-plain')}/export`);
    expect(ex.headers.get('content-disposition')).to.match(/attachment/);
    const after = ((await client.xRange('tl:audit', '-', '+')) ?? []).slice(before).map((e) => e.message);
    expect(after.filter((e) => e.type === 'compliance.transcript_viewed' && e.actor === officer.id && e.object === cOf('cc-plain'))).to.have.length(1);
    expect(after.filter((e) => e.type === 'compliance.exported' && e.actor === officer.id && e.object === cOf('cc-plain'))).to.have.length(1);
    const missing = await c.req('GET', '/api/staff/compliance/conversations/c_AAAAAAAAAAAAAAAAAAAAAA');
    const malformed = await c.req('GET', '/api/staff/compliance/conversations/not-an-id');
    expect([missing.status, missing.json, malformed.status, malformed.json]).to.deep.equal([404, { error: 'not_found' }, 404, { error: 'not_found' }]);
  });

  it('shows the request ledger with due dates and flags, and finds a request\'s conversation by its id', async () => {
    // An opt-out needs no verification, so it lands in the ledger at once.
    const r = await turn(a.url, OPT_OUT, { conversationId: 'cc-dsr', userId: 'u-cc-dsr', extra: { serviceUrl: stub.url, locale: 'en-US' } });
    expect(r.status).to.equal(200);
    const q = await get(c, '/api/staff/compliance/requests');
    expect(q.status).to.equal(200);
    const items = q.json.items as { id: string; type: string; due: string; flag: string; subject: string }[];
    const optOut = items.find((i) => i.type === 'opt_out')!;
    expect(optOut, JSON.stringify(items)).to.not.equal(undefined);
    expect(optOut.due).to.match(/^\d{4}-\d{2}-\d{2}/);
    expect(optOut.flag).to.be.oneOf(['overdue', 'due_this_week', 'on_time', 'done']);
    const event = ((await client.xRange('tl:audit', '-', '+')) ?? []).map((e) => e.message).find((e) => e.object === optOut.id && e.conversation);
    expect(event?.conversation).to.equal(cOf('cc-dsr'));
    const byReq = await get(c, `/api/staff/compliance/conversations?request=${optOut.id}`);
    expect((byReq.json.items as { id: string }[]).map((x) => x.id)).to.deep.equal([cOf('cc-dsr')]);
  });

  it('lists the audit log with filters and a chain-verified badge; admins see it too, agents do not', async () => {
    const r = await get(c, `/api/staff/compliance/audit?type=compliance&actor=${officer.id}`);
    expect(r.status).to.equal(200);
    expect((r.json.verified as { ok: boolean }).ok).to.equal(true);
    const items = r.json.items as { event: { type: string; actor: string } }[];
    expect(items.length).to.be.greaterThan(1);
    for (const i of items) { expect(i.event.type).to.match(/^compliance\./); expect(i.event.actor).to.equal(officer.id); }
    const ad = new StaffClient(a.url);
    await ad.login(admin, clock.now());
    expect((await get(ad, '/api/staff/compliance/audit')).status).to.equal(200);
    expect((await ad.req('GET', '/api/staff/compliance/requests')).status).to.equal(403);
    const ex = await get(ad, '/api/staff/compliance/audit/export');
    expect(ex.status).to.equal(200);
    // The export is a verifiable copy: the entries it lists are a chain the auditor can check.
    expect(ex.json.verified).to.include({ ok: true });
  });

  it('the console chain verifies end to end, and no compliance payload nor Redis value holds the canaries', async () => {
    const log = a.app.audit;
    const head = await log.head();
    const v = verifyChain(await log.entries(), Buffer.from(a.env.TRUSTLINE_AUDIT_KEY!, 'base64'), head ? { head } : {});
    expect(v.ok, JSON.stringify(v.problem)).to.equal(true);
    for (const b of bodies) expect(b).to.not.contain(CANARY_EMAIL).and.not.contain(CANARY_IBAN);
    const dump = [...(await dumpRedis(client)).values()].join('\n');
    expect(dump).to.not.contain(CANARY_EMAIL).and.not.contain(CANARY_IBAN);
    // Contact references for notices exist, sealed, with a TTL.
    const refKey = `tl:ref:{${cOf('cc-canary')}}`;
    expect(await client.exists(refKey)).to.equal(1);
    expect(await client.ttl(refKey)).to.be.greaterThan(0);
    expect(await client.hGet(refKey, 'ref')).to.not.contain('cc-canary');
  });
});
