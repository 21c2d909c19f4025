import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { testEnv, type TurnOptions } from '../support/app.js';
import { dumpRedis, freePort, startRedis, type RedisProcess } from '../support/redis.js';
import { startSmsStub, startSmtp } from '../guards/identity/support.js';
import { ConnectorStub, StaffClient, totpSecretOf, type StaffUser } from '../handoff/support.js';
import { loadConfig } from '../../config.js';
import { runStaffAdd } from '../../cli/commands/staff.js';
import { Pseudonymizer } from '../../guards/crypto/pseudonym.js';
import type { StaffRole } from '../../staff/rbac.js';
import { spawnBot, type BotProcess } from './support/botProcess.js';
import { startCrmStub, type CrmStub } from './support/crmStub.js';
import { directoryRecord, needles, newCanaryCustomer, scan, type Hit, type Needle } from './support/canaries.js';

/**
 * Issue 9, canary sweep: one scripted run drives every flow against the bot as its own OS process (data Redis and a
 * separate key-store Redis, both with AOF; a real SMTP server, an SMS provider and a CRM on loopback; the Bot
 * Connector as a stub) with canary values unique to this run: consent, verification by email (wrong code, then the
 * right one), the service intents with canaries typed in messages, a Redis outage and restart in the middle, export
 * download, correction of the email (possession code to the new address, change to the CRM), escalation with agent
 * pickup, agent messages and an audited reveal, the compliance console, a CRM outage, refused requests of every kind,
 * and erasure (SMS re-verification). It then collects every Redis value of both instances at four points plus the
 * AOF/RDB files on disk (every write ever made, including deleted keys), stdout, stderr, the log file, every file the
 * bot wrote, and every HTTP body the staff clients and the refused callers received; and greps each canary raw,
 * compact, URL-encoded, JSON-escaped and as base64/base64url at every alignment.
 *
 * Allowed sinks, where the values are meant to go: the customer's own chat stream (expectReplies bodies and the
 * connector stub), the customer's export download, the audited reveal response, and the stubs of the systems of
 * record (SMTP/SMS receiving a code for a contact point, the CRM). The card number is allowed nowhere at all.
 */
describe('privacy: canary sweep through every flow of a bot process (issue 9)', function () {
  this.timeout(240_000);
  const C = newCanaryCustomer();
  const TOKEN = { crm: 'crm-token-sweep', sms: 'sms-token-sweep' };
  // Channel ids can hold contact points (Teams, SMS): the customer's ids here carry canaries too.
  const O1: TurnOptions = { conversationId: `conv-${C.tag}-${C.phone}`, userId: `user-${C.email}`, locale: 'en-GB' };
  const O2: TurnOptions = { conversationId: `conv-${C.tag}-second`, userId: `user-${C.tag}-2`, locale: 'en-GB' };
  const canaryValues: Record<string, string> = {
    tag: C.tag, name: C.name, email: C.email, newEmail: C.newEmail, phone: C.phone, phoneTyped: C.phoneTyped,
    birthDate: C.birthDate, birthDateTyped: C.birthDateTyped, addressLine: C.address.line1,
    newAddressLine: C.newAddressLine, card: C.card, iban: C.iban, customerNumber: C.customerNumber,
  };
  const NEEDLES: Needle[] = needles(canaryValues);

  let dataRedis: RedisProcess;
  let keyRedis: RedisProcess;
  let dataDir: string;
  let keyDir: string;
  let workDir: string;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let sms: Awaited<ReturnType<typeof startSmsStub>>;
  let crm: CrmStub;
  let connector: ConnectorStub;
  let bot: BotProcess;
  let env: Record<string, string | undefined>;
  let pseudonyms: Pseudonymizer;

  /** Allowed sinks. */
  const chat: string[] = [];
  let exportBody = '';
  let revealBody = '';
  /** Forbidden sinks: every staff and refused-request body, every Redis dump. */
  const forbidden: { where: string; text: string }[] = [];
  const dumps: { where: string; text: string }[] = [];
  let flowDone = false;

  async function say(text: string, o: TurnOptions = O1, extra: Record<string, unknown> = {}): Promise<string> {
    const activity = {
      type: 'message', id: `act-${Math.random().toString(36).slice(2)}`, channelId: 'test', serviceUrl: connector.url, deliveryMode: 'expectReplies',
      conversation: { id: o.conversationId }, from: { id: o.userId }, recipient: { id: 'bot' }, locale: o.locale, text, ...extra,
    };
    const res = await fetch(`${bot.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity) });
    const raw = await res.text();
    chat.push(raw);
    expect(res.status, `${text}: ${raw.slice(0, 300)}`).to.equal(200);
    const acts = ((JSON.parse(raw || '{}') as { activities?: { type: string; text?: string }[] }).activities ?? []);
    const reply = acts.filter((a) => a.type === 'message').map((a) => a.text ?? '').join('\n');
    if (process.env.SWEEP_DEBUG) process.stderr.write(`> ${text.slice(0, 100)}\n< ${reply.slice(0, 300)}\n`);
    return reply;
  }

  /** A raw HTTP exchange whose answer is a forbidden sink (refused requests, staff calls). */
  async function raw(where: string, path: string, init: RequestInit): Promise<{ status: number; text: string }> {
    const res = await fetch(`${bot.url}${path}`, init);
    const text = await res.text();
    forbidden.push({ where: `${where} (${res.status})`, text: `${[...res.headers].map(([k, v]) => `${k}: ${v}`).join('\n')}\n\n${text}` });
    return { status: res.status, text };
  }

  async function staffCall(cl: StaffClient, who: string, method: string, path: string, body?: unknown) {
    const r = await cl.req(method, path, body);
    forbidden.push({ where: `staff ${who} ${method} ${path} (${r.status})`, text: `${[...r.headers].map(([k, v]) => `${k}: ${v}`).join('\n')}\n\n${r.text}` });
    return r;
  }

  async function addStaff(roles: StaffRole[]): Promise<StaffUser> {
    let out = '';
    const sink = new Writable({ write(c: Buffer, _e, cb) { out += c.toString(); cb(); } });
    const email = `sweep.${roles.join('-')}.${Date.now()}@bank.example`;
    const password = `sweep password for ${roles.join(' ')}`;
    await runStaffAdd(loadConfig(env), { email, roles, password }, sink);
    return { id: /account: (st_\S+)/.exec(out)![1]!, email, password, secret: totpSecretOf(/otpauth:\/\/totp\/\S+/.exec(out)![0]), roles };
  }

  async function login(u: StaffUser): Promise<StaffClient> {
    const cl = new StaffClient(bot.url);
    await cl.login(u, Date.now());
    return cl;
  }

  async function snapshot(label: string): Promise<void> {
    for (const [name, r] of [['data', dataRedis], ['keystore', keyRedis]] as const) {
      const c = await r.client();
      for (const [k, v] of await dumpRedis(c)) dumps.push({ where: `redis ${name} @${label}: ${k}`, text: `${k}\n${v}` });
      c.destroy();
    }
  }

  async function code(kind: 'smtp' | 'sms', to: string, count: number): Promise<string> {
    for (let i = 0; i < 200; i++) {
      const list = kind === 'smtp' ? smtp.messages.filter((m) => m.to === to) : sms.messages.filter((m) => m.to === to);
      if (list.length >= count) {
        const c = kind === 'smtp' ? smtp.lastCode(to) : sms.lastCode();
        if (c) return c;
      }
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`no ${kind} code for the contact point`);
  }

  before(async () => {
    workDir = mkdtempSync(join(tmpdir(), 'tl-sweep-'));
    dataDir = mkdtempSync(join(tmpdir(), 'tl-sweep-data-'));
    keyDir = mkdtempSync(join(tmpdir(), 'tl-sweep-keys-'));
    const aof = ['--appendonly', 'yes', '--appendfsync', 'always'];
    dataRedis = await startRedis(aof, { dir: dataDir });
    keyRedis = await startRedis(aof, { dir: keyDir });
    smtp = await startSmtp();
    sms = await startSmsStub(TOKEN.sms);
    crm = await startCrmStub(TOKEN.crm, [directoryRecord(C) as never]);
    connector = await new ConnectorStub().start();
    env = {
      ...testEnv({
        REDIS_URL: dataRedis.url, KEYSTORE_REDIS_URL: keyRedis.url, LOG_LEVEL: 'debug', LOCAL_CHAT_ENABLED: 'false', CONSENT_PRESET: undefined,
        SMTP_URL: smtp.url, SMTP_FROM: 'no-reply@trustline.example', SMTP_REQUIRE_TLS: 'false', SMS_API_URL: sms.url, SMS_API_TOKEN: TOKEN.sms,
        CRM_BASE_URL: crm.url, CRM_API_TOKEN: TOKEN.crm, REDIS_COMMAND_TIMEOUT_MS: '500', REDIS_CONNECT_TIMEOUT_MS: '500',
        TRUSTLINE_DEV_KEY_FILE: join(workDir, 'dev-keys.json'), OTP_OUTBOX_FILE: join(workDir, 'outbox.log'), INSTANCE_NAME: 'sweep', METRICS_TOKEN: 'metrics-token-for-the-canary-sweep-0123456789',
      }),
    };
    pseudonyms = new Pseudonymizer(Buffer.from(env.TRUSTLINE_KEYNAME_KEY!, 'base64'));
    bot = await spawnBot(env, await freePort(), join(workDir, 'bot.log'));
  });

  after(async () => {
    await bot?.stop();
    for (const s of [smtp, sms, crm, connector]) await s?.stop();
    await dataRedis?.stop();
    await keyRedis?.stop();
    for (const d of [workDir, dataDir, keyDir]) if (d) rmSync(d, { recursive: true, force: true });
  });

  it('drives every flow with the canaries, and each flow visibly happens', async () => {
    const c1 = pseudonyms.conversationOwner('test', O1.conversationId!);

    // Consent: the notice first, then the choice.
    expect(await say('hello')).to.match(/May we keep a copy of this conversation/);
    expect(await say('Keep my conversation')).to.match(/we will keep a copy/);

    // Canaries typed before verification (name, birth date, address, email, IBAN).
    await say(`my name is ${C.name}, born ${C.birthDateTyped}, I live at ${C.address.line1}, ${C.address.postcode} ${C.address.city}`);
    expect(await say('help')).to.match(/You can ask me/);
    await say(`just so you know: ${C.email} and ${C.iban}`);

    // Verification by email through the SMTP server: a wrong code, then the right one.
    expect(await say('where is my order?')).to.match(/For that I need to confirm who you are/);
    expect(await say(`it's ${C.email}`)).to.match(/If that matches an account/);
    const emailCode = await code('smtp', C.email, 1);
    expect(await say(emailCode === '000000' ? '111111' : '000000')).to.match(/not valid/);
    expect(await say(emailCode)).to.match(/TL-SWEEP-7001/);

    // Service intents, canaries typed at every prompt.
    expect(await say('my card was declined')).to.match(/What happened/);
    expect(await say('Card declined')).to.match(/LAST FOUR/);
    const pay = await say(`the card is ${C.card}`);
    expect(pay).to.match(/never type a full card number/);
    expect(pay).to.match(/opened a payment case \(reference CRM-\d+\) for the card ending in \d{4}/);
    expect(await say('change my delivery address')).to.match(/What is the new delivery address/);
    expect(await say(`${C.newAddressLine}, ${C.address.postcode} ${C.address.city}`)).to.match(/Shall I send this new delivery address/);
    expect(await say('yes')).to.match(/address change for order TL-SWEEP-7001 is recorded/);
    expect(await say('I want to return something')).to.match(/returned within 30 days/);
    expect(await say('yes')).to.match(/Why would you like to return it/);
    expect(await say('Wrong size')).to.match(/When was it delivered/);
    expect(await say('yesterday')).to.match(/How many items/);
    expect(await say('1')).to.match(/unused/);
    expect(await say('yes')).to.match(/can be returned/);
    await say(`by the way my phone is ${C.phoneTyped} and my birthday ${C.birthDate}`);

    // Fault: the data Redis dies mid-conversation (kill -9), the customer writes canaries meanwhile, it comes back.
    const port = dataRedis.port;
    await dataRedis.stop();
    const down = await say(`are you there? my email is ${C.email}`);
    expect(down).to.match(/temporarily unavailable/);
    const staffDown = await raw('staff login while Redis is down', '/api/staff/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: C.email, password: C.iban }) });
    expect(staffDown.status).to.equal(503);
    dataRedis = await startRedis(['--appendonly', 'yes', '--appendfsync', 'always'], { port, dir: dataDir });
    let back = '';
    for (let i = 0; i < 60 && !/You can ask me/.test(back); i++) {
      back = await say('help');
      if (!/You can ask me/.test(back)) await new Promise((res) => setTimeout(res, 250));
    }
    expect(back).to.match(/You can ask me/);
    // The verification survived the outage (AOF): the account answers without a new code.
    expect(await say('where is my order?')).to.match(/TL-SWEEP-7001/);
    // Fault: the data Redis hangs (SIGSTOP) during a turn carrying canaries: bounded by the command timeout.
    dataRedis.proc.kill('SIGSTOP');
    let slow = '';
    try { slow = await say(`still there? call ${C.phoneTyped}`); } finally { dataRedis.proc.kill('SIGCONT'); }
    expect(slow).to.match(/temporarily unavailable/);
    back = '';
    for (let i = 0; i < 60 && !/You can ask me/.test(back); i++) {
      back = await say('help');
      if (!/You can ask me/.test(back)) await new Promise((res) => setTimeout(res, 250));
    }
    expect(back).to.match(/You can ask me/);

    // Export: the link is downloaded once by the customer.
    const ex = await say('send me my data');
    const link = /http:\/\/\S+\/dsr\/export\/[A-Za-z0-9_-]{43}/.exec(ex)?.[0];
    expect(link, ex).to.be.a('string');
    const dl = await fetch(link!);
    expect(dl.status).to.equal(200);
    exportBody = await dl.text();
    const again = await raw('export link used twice', new URL(link!).pathname, { method: 'GET' });
    expect(again.status).to.equal(404);

    // Correction: a possession code to the NEW email (SMTP), then the change goes to the CRM.
    expect(await say('please correct my email address')).to.match(/What would you like to correct/);
    expect(await say('Email address')).to.match(/new email address/);
    expect(await say(C.newEmail)).to.match(/sent a code/);
    const fixed = await say(await code('smtp', C.newEmail, 1));
    expect(fixed).to.match(/the new value replaces the old one/);
    expect(crm.requests.some((q) => q.path === '/customers/update' && q.body.includes(C.newEmail))).to.equal(true);

    // Escalation, agent pickup, messages both ways, an audited reveal.
    const agent = await addStaff(['agent']);
    const officer = await addStaff(['compliance']);
    const admin = await addStaff(['admin']);
    expect(await say(`I want to talk to a person. My IBAN is ${C.iban} and my phone ${C.phoneTyped}`)).to.match(/queue; the wait is roughly/);
    const ag = await login(agent);
    const events = new AbortController();
    let sse = '';
    const sseDone = fetch(`${bot.url}/api/staff/events`, { headers: { Cookie: ag.cookie, Accept: 'text/event-stream' }, signal: events.signal })
      .then(async (res) => { for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) sse += Buffer.from(chunk).toString('utf8'); })
      .catch(() => undefined);
    const q = await staffCall(ag, 'agent', 'GET', '/api/staff/queue');
    expect((q.json.items as { id: string }[]).some((i) => i.id === c1)).to.equal(true);
    expect((await staffCall(ag, 'agent', 'POST', `/api/staff/conversations/${c1}/claim`)).status).to.equal(200);
    await connector.waitFor((t) => /joined the conversation/.test(t), O1.conversationId);
    expect(await say(`my card ${C.card} and I was born ${C.birthDateTyped}, my name is ${C.name}`)).to.equal('');
    const view = await staffCall(ag, 'agent', 'GET', `/api/staff/conversations/${c1}`);
    expect(view.status).to.equal(200);
    const msgs = view.json.messages as { role: string; tokens: { token: string; type: string }[] }[];
    const ibanToken = msgs.flatMap((m) => m.tokens).find((t) => t.type === 'IBAN');
    expect(ibanToken, view.text).to.not.equal(undefined);
    expect((await staffCall(ag, 'agent', 'POST', `/api/staff/conversations/${c1}/messages`, { text: `Hello ${C.name}, I will write to ${C.email} about ${C.iban}.` })).status).to.equal(200);
    await connector.waitFor((t) => t.includes(C.email), O1.conversationId);
    const shown = await ag.req('POST', `/api/staff/conversations/${c1}/reveal`, { token: ibanToken!.token, purpose: 'customer_request', reason: `customer ${C.name} asked to confirm the IBAN ${C.iban}` });
    revealBody = shown.text;
    expect(shown.status).to.equal(200);
    expect((shown.json.value as string).replace(/\s/g, '')).to.equal(C.iban.replace(/\s/g, ''));
    // Refused staff input with canaries in it (path, body, reason).
    expect((await staffCall(ag, 'agent', 'POST', `/api/staff/conversations/${encodeURIComponent(C.email)}/claim`)).status).to.equal(404);
    expect((await staffCall(ag, 'agent', 'POST', `/api/staff/conversations/${c1}/reveal`, { token: `tok_${C.email}`, purpose: 'customer_request', reason: `because ${C.email} asked me` })).status).to.be.oneOf([400, 404]);
    expect((await staffCall(ag, 'agent', 'POST', `/api/staff/conversations/${c1}/messages`, { text: C.card.repeat(400) })).status).to.equal(400);
    await staffCall(ag, 'agent', 'GET', `/api/staff/conversations/${c1}`);
    expect((await staffCall(ag, 'agent', 'POST', `/api/staff/conversations/${c1}/handback`)).status).to.equal(200);
    await connector.waitFor((t) => /back with the Trustline assistant/.test(t), O1.conversationId);
    await new Promise((res) => setTimeout(res, 200));
    events.abort();
    await sseDone;
    forbidden.push({ where: 'staff agent SSE /api/staff/events', text: sse });
    expect(sse).to.match(/event: message/);
    await snapshot('after-handoff');

    // Compliance console: search, transcript view and export, requests, audit view and export, retention, incidents.
    const co = await login(officer);
    const found = await staffCall(co, 'compliance', 'GET', `/api/staff/compliance/conversations?from=${encodeURIComponent(new Date(Date.now() - 3600_000).toISOString())}`);
    expect((found.json.items as { id: string }[]).map((x) => x.id)).to.include(c1);
    const tx = await staffCall(co, 'compliance', 'GET', `/api/staff/compliance/conversations/${c1}`);
    expect(tx.status).to.equal(200);
    expect((tx.json.entries as unknown[]).length).to.be.greaterThan(20);
    expect(tx.text).to.match(/\[EMAIL_\d+\]/).and.match(/\[CREDIT_CARD/);
    expect((await staffCall(co, 'compliance', 'GET', `/api/staff/compliance/conversations/${c1}/export`)).status).to.equal(200);
    expect((await staffCall(co, 'compliance', 'GET', '/api/staff/compliance/requests')).status).to.equal(200);
    const audit = await staffCall(co, 'compliance', 'GET', '/api/staff/compliance/audit');
    expect(audit.status).to.equal(200);
    expect(audit.text).to.match(/handoff\.revealed/);
    expect((await staffCall(co, 'compliance', 'GET', '/api/staff/compliance/audit/export')).status).to.equal(200);
    expect((await staffCall(co, 'compliance', 'GET', '/api/staff/compliance/retention')).status).to.equal(200);
    const reveals = await staffCall(co, 'compliance', 'GET', '/api/staff/reveals');
    expect(reveals.status).to.equal(200);
    expect(reveals.text).to.match(/IBAN/);
    const now = new Date().toISOString();
    const inc = await staffCall(co, 'compliance', 'POST', '/api/staff/incidents', { title: `Laptop with notes about ${C.name} (${C.email}) lost`, detectedAt: now, awareAt: now, dataClasses: ['transcripts'] });
    expect(inc.status).to.equal(201);
    const incId = String(inc.json.id);
    expect((await staffCall(co, 'compliance', 'POST', `/api/staff/incidents/${incId}`, { decision: `No notification: only ${C.phoneTyped} was written down` })).status).to.equal(200);
    expect((await staffCall(co, 'compliance', 'GET', `/api/staff/incidents/${incId}`)).status).to.equal(200);
    expect((await staffCall(co, 'compliance', 'GET', '/api/staff/incidents')).status).to.equal(200);
    // Refused compliance input with canaries in the query.
    for (const qs of [`channel=${encodeURIComponent(C.email)}`, `from=${encodeURIComponent(C.birthDateTyped + 'x')}`, `request=${encodeURIComponent(C.iban)}`]) {
      expect((await staffCall(co, 'compliance', 'GET', `/api/staff/compliance/conversations?${qs}`)).status).to.equal(400);
    }
    const ad = await login(admin);
    expect((await staffCall(ad, 'admin', 'GET', `/api/staff/compliance/audit?actor=${encodeURIComponent(C.email)}`)).status).to.equal(400);
    expect((await staffCall(ad, 'admin', 'GET', '/api/staff/accounts')).status).to.equal(200);

    // Refused requests of every kind, each carrying canaries.
    const json = { 'content-type': 'application/json' };
    expect((await raw('malformed JSON', '/api/messages', { method: 'POST', headers: json, body: `{"type":"message","text":"${C.email} ${C.card}"` })).status).to.equal(400);
    expect((await raw('oversize body', '/api/messages', { method: 'POST', headers: json, body: JSON.stringify({ type: 'message', text: `${C.iban} ${C.email} `.repeat(9000), conversation: { id: 'x' } }) })).status).to.equal(413);
    expect((await raw('wrong content type', '/api/messages', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: `${C.email} ${C.card}` })).status).to.equal(415);
    expect((await raw('activity without conversation', '/api/messages', { method: 'POST', headers: json, body: JSON.stringify({ type: 'message', text: C.email, from: { id: C.phone } }) })).status).to.be.within(400, 499);
    expect((await raw('unknown path', `/${encodeURIComponent(C.email)}/${encodeURIComponent(C.card)}`, { method: 'GET' })).status).to.equal(404);
    expect((await raw('export link junk', `/dsr/export/${encodeURIComponent(C.email)}`, { method: 'GET' })).status).to.equal(404);
    expect((await raw('staff login with the customer email', '/api/staff/login', { method: 'POST', headers: json, body: JSON.stringify({ email: C.email, password: C.card }) })).status).to.equal(401);
    expect((await raw('staff login malformed', '/api/staff/login', { method: 'POST', headers: json, body: `{"email":"${C.email}",` })).status).to.equal(400);
    expect((await raw('staff without session', `/api/staff/conversations/${encodeURIComponent(C.phone)}`, { method: 'GET', headers: { cookie: `__Host-tl_staff=${encodeURIComponent(C.email)}` } })).status).to.equal(401);

    // CRM outage: its error text (holding a canary) reaches nobody; the customer gets a polite reply.
    expect(await say('hello', O2)).to.match(/May we keep a copy/);
    await say("Don't keep it", O2);
    expect(await say('where is my order?', O2)).to.match(/For that I need to confirm who you are/);
    crm.failWith = `CRM stack: lookup failed for ${C.email} / ${C.name}`;
    const crmDown = await say(C.email, O2);
    crm.failWith = undefined;
    expect(crmDown).to.not.equal('');
    expect(crmDown).to.match(/Sorry, something went wrong on our side|If that matches an account/);
    // Opt-out needs no verification; a consent withdrawal is as easy as giving it.
    expect(await say(`do not sell my data, I am ${C.name} of ${C.address.line1}`, O2)).to.match(/will not sell or share/);
    expect(await say('withdraw my consent', O2)).to.match(/consent is withdrawn|will not keep/);
    // Operations endpoints.
    for (const [path, headers] of [['/readyz', {}], ['/healthz', {}], ['/metrics', { authorization: `Bearer ${env.METRICS_TOKEN}` }]] as const) {
      expect((await raw(`ops ${path}`, path, { method: 'GET', headers })).status, path).to.equal(200);
    }
    await snapshot('before-erasure');

    // Erasure: email is not enough, so the code goes by SMS to the number on file; then confirmed.
    const explain = await say('delete everything about me');
    expect(explain).to.match(/confirm again that it is you/);
    expect(await say(C.phoneTyped)).to.match(/If that matches an account/);
    expect(await say(await code('sms', C.phone, 1))).to.match(/Do you want us to delete your data now/);
    const erased = await say('yes');
    expect(erased).to.match(/Your data has been deleted/);
    expect(crm.requests.some((x) => x.path === '/customers/erase')).to.equal(true);
    // The conversation no longer knows the customer (its consent went with the rest: the notice is asked again).
    const afterwards = await say('where is my order?');
    expect(afterwards).to.match(/^Privacy notice|For that I need to confirm who you are/);
    expect(afterwards).to.not.include('TL-SWEEP-7001');
    // After the erasure the compliance view of the conversation is gone, and the audit still reads.
    expect((await staffCall(co, 'compliance', 'GET', `/api/staff/compliance/conversations/${c1}`)).status).to.equal(404);
    expect((await staffCall(co, 'compliance', 'GET', '/api/staff/compliance/audit')).status).to.equal(200);
    await snapshot('after-erasure');

    // Operators' tools read the same stores: the request ledger and the audit verification print no canary.
    for (const args of [['dsr', 'list', '--json'], ['audit', 'verify']]) {
      const r = spawnSync(process.execPath, ['bin/trustline.js', ...args], { env: { ...env, PATH: process.env.PATH } as NodeJS.ProcessEnv, encoding: 'utf8', timeout: 60_000 });
      expect(r.status, `${args.join(' ')}: ${r.stderr}`).to.equal(0);
      forbidden.push({ where: `cli trustline ${args.join(' ')}`, text: `${r.stdout}\n${r.stderr}` });
    }
    expect(forbidden.find((f) => f.where === 'cli trustline dsr list --json')!.text).to.match(/"type":"erase"/);
    flowDone = true;
  });

  function allowedSinks(): { where: string; text: string }[] {
    return [
      ...chat.map((t, i) => ({ where: `chat reply ${i}`, text: t })),
      ...connector.posted.map((p, i) => ({ where: `connector ${i}`, text: JSON.stringify(p) })),
      { where: 'export download', text: exportBody },
      { where: 'reveal response', text: revealBody },
      ...smtp.messages.map((m, i) => ({ where: `smtp ${i}`, text: `${m.to}\n${m.raw}` })),
      ...sms.messages.map((m, i) => ({ where: `sms ${i}`, text: JSON.stringify(m) })),
      ...crm.requests.map((q, i) => ({ where: `crm ${i} ${q.path}`, text: q.body })),
    ];
  }

  function filesUnder(dir: string): string[] {
    if (!existsSync(dir)) return [];
    return readdirSync(dir).flatMap((f) => {
      const p = join(dir, f);
      return statSync(p).isDirectory() ? filesUnder(p) : [p];
    });
  }

  function report(hits: Hit[]): string {
    // One line per sink and canary (the same leak shows in every snapshot and every form).
    const seen = new Set<string>();
    const lines: string[] = [];
    for (const h of hits) {
      const key = `${h.where.replace(/ @[a-z-]+:/, ':').replace(/\{[^}]*\}/g, '{}')}|${h.canary}`;
      if (seen.has(key)) continue;
      seen.add(key);
      lines.push(`${h.canary}/${h.form} in ${h.where}: ...${h.context.replace(/\s+/g, ' ')}...`);
    }
    return `\n${lines.slice(0, 40).join('\n')}\n`;
  }

  it('the scanner finds every canary raw, URL-encoded and as base64/base64url at any offset (self-check)', () => {
    for (const [name, v] of Object.entries(canaryValues)) {
      // Values too short for a base64 core of 10 characters are looked for raw only (random matches otherwise).
      for (const pad of NEEDLES.some((n) => n.canary === name && n.form === 'base64') ? ['', 'x', 'xy'] : []) {
        const blob = Buffer.from(`{"a":"${pad}${v} tail"}`).toString('base64');
        // (A value typed two ways, like the phone number, may be found under either name.)
        expect(scan('t', `prefix ${blob} suffix`, NEEDLES).length, `${name} base64 +${pad.length}`).to.be.greaterThan(0);
        expect(scan('t', Buffer.from(`${pad}${v}!`).toString('base64url'), NEEDLES).length, `${name} base64url`).to.be.greaterThan(0);
      }
      expect(scan('t', `q=${encodeURIComponent(v)}&x`, NEEDLES).length, `${name} url`).to.be.greaterThan(0);
      expect(scan('t', `x ${v.replace(/\s+/g, '')} y`, NEEDLES).length, `${name} compact`).to.be.greaterThan(0);
    }
    expect(NEEDLES.filter((n) => n.form === 'base64').map((n) => n.canary)).to.include.members(['name', 'email', 'phone', 'card', 'iban', 'addressLine', 'birthDate']);
    expect(scan('t', 'nothing personal here', NEEDLES)).to.deep.equal([]);
  });

  it('finds no canary in any Redis value of either instance, at any of the snapshots', () => {
    expect(flowDone, 'the flow ran to the end').to.equal(true);
    expect(dumps.length).to.be.greaterThan(50);
    // Every data class was there to be scanned while the customer still existed.
    const keys = dumps.filter((d) => d.where.includes('@after-handoff')).map((d) => d.where.replace(/^.*?: /, ''));
    for (const prefix of ['tl:state:', 'tl:tx', 'tl:consent:', 'tl:idx:', 'tl:otp:', 'tl:ho:', 'tl:dsr:', 'tl:audit', 'tl:key:', 'tl:staff']) {
      expect(keys.some((k) => k.startsWith(prefix)), prefix).to.equal(true);
    }
    const hits = dumps.flatMap((d) => scan(d.where, d.text, NEEDLES));
    expect(hits.length, report(hits)).to.equal(0);
  });

  it('finds no canary in the Redis files on disk (AOF: every write ever made, deleted keys included; RDB)', async () => {
    expect(flowDone).to.equal(true);
    const files = [...filesUnder(dataDir), ...filesUnder(keyDir)];
    const aofBytes = files.filter((f) => /\.aof$/.test(f)).reduce((n, f) => n + statSync(f).size, 0);
    expect(aofBytes, 'the AOF recorded the run').to.be.greaterThan(50_000);
    const hits = files.flatMap((f) => scan(f, readFileSync(f).toString('latin1'), NEEDLES));
    expect(hits.length, report(hits)).to.equal(0);
  });

  it('finds no canary in stdout, stderr, the log file or any file the bot wrote', () => {
    expect(flowDone).to.equal(true);
    const out = bot.stdout();
    if (process.env.SWEEP_DEBUG) process.stderr.write(`stdout:\n${out}\nstderr:\n${bot.stderr()}\n`);
    expect(out.split('\n').length, 'the bot logged').to.be.greaterThan(30);
    // The log saw the flows: verification, the outage, the reveal, the erasure.
    for (const event of ['bot.turn.unavailable', 'staff.login']) expect(out, event).to.include(event);
    const sinks = [
      { where: 'stdout', text: out }, { where: 'stderr', text: bot.stderr() }, { where: 'log file', text: bot.logFileText() },
      ...filesUnder(workDir).filter((f) => !f.endsWith('bot.log')).map((f) => ({ where: f, text: readFileSync(f, 'utf8') })),
    ];
    expect(existsSync(env.OTP_OUTBOX_FILE!), 'no outbox file with SMTP and SMS configured').to.equal(false);
    const hits = sinks.flatMap((s) => scan(s.where, s.text, NEEDLES));
    expect(hits.length, report(hits)).to.equal(0);
  });

  it('finds no canary in any staff payload (queue, view, events, compliance, audit, incidents) nor in any refused request\'s answer', () => {
    expect(flowDone).to.equal(true);
    expect(forbidden.length).to.be.greaterThan(30);
    const hits = forbidden.flatMap((f) => scan(f.where, f.text, NEEDLES));
    expect(hits.length, report(hits)).to.equal(0);
  });

  it('finds the canaries where they are meant to go, and the card number nowhere at all', () => {
    expect(flowDone).to.equal(true);
    const where = (name: string) => {
      const n = NEEDLES.filter((x) => x.canary === name && x.form === 'raw');
      return allowedSinks().filter((s) => n.some((x) => s.text.toLowerCase().includes(x.text.toLowerCase()))).map((s) => s.where.replace(/ \d+.*$/, ''));
    };
    expect(where('email')).to.include.members(['smtp', 'crm', 'export download', 'connector']);
    expect(where('newEmail')).to.include.members(['smtp', 'crm']);
    expect(where('phone')).to.include.members(['sms', 'export download']);
    expect(where('name')).to.include('export download');
    expect(where('addressLine')).to.include('export download');
    expect(where('birthDate')).to.include('export download');
    expect(where('newAddressLine')).to.include('crm');
    expect(where('iban')).to.include('reveal response');
    // Codes went only to contact points on file, and to the new address during its correction (OTP-9).
    expect(smtp.messages.map((m) => m.to)).to.deep.equal([C.email, C.newEmail]);
    expect(sms.messages.map((m) => m.to)).to.deep.equal([C.phone]);
    expect(where('card'), 'the card number goes nowhere, not even to an allowed sink').to.deep.equal([]);
    const cardHits = allowedSinks().flatMap((s) => scan(s.where, s.text, NEEDLES.filter((x) => x.canary === 'card')));
    expect(cardHits.length, report(cardHits)).to.equal(0);
  });
});
