import { expect } from 'chai';
import fc from 'fast-check';
import type { RedisClientType } from 'redis';
import { startApp, turn, type RunningApp } from '../support/app.js';
import { startRedis, type RedisProcess } from '../support/redis.js';
import { ConnectorStub, StaffClient, TestClock, createStaff, type StaffUser } from '../handoff/support.js';
import { STAFF_ROUTES, decideAccess, type Principal, type RouteRule, type StaffRole } from '../../staff/rbac.js';

/**
 * Issue 9, item 3 (staff API part): the staff HTTP API (staff/routes.ts, compliance/routes.ts) fuzzed with
 * fast-check: every route of the RBAC matrix and random paths, with random path ids, query strings, JSON and raw
 * bodies (deep nesting, prototype keys, huge strings, control characters), headers (content type, CSRF token,
 * Origin, Sec-Fetch-Site, cookies), as nobody, as a password-only session and as each role. Properties: no 5xx, no
 * exception text or stack trace in any body, the matrix never grants beyond the caller's role (a denied principal
 * gets 401/403/303 before any handler runs), and after each batch a valid staff action and a valid customer turn
 * still succeed.
 */

type Who = 'none' | 'preMfa' | StaffRole | 'garbage';
const WHO: readonly Who[] = ['none', 'preMfa', 'agent', 'supervisor', 'compliance', 'admin', 'garbage'];

const hostile = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.string({ unit: 'grapheme', maxLength: 60 }),
  fc.constantFrom('\u0000', '\r\n', '\u001b[31m', '\u202e', '\ud800', '..', '../../package.json', '%00', '%2e%2e%2f', '*', '__proto__', 'constructor',
    'c_AAAAAAAAAAAAAAAAAAAAAA', 'inc_AAAAAAAAAAAAAAAA', 'act_AAAAAAAAAAAAAAAA', 'st_AAAAAAAAAAAAAAAA', '2026-01-01T00:00:00Z', '-1', '1e400', 'NaN', 'true', '[]', '{}'),
  fc.string({ minLength: 3000, maxLength: 9000 }),
);

/** JSON objects whose keys shadow what String(), templates and `+` call: coercing one throws a TypeError. */
const coercionTrap = fc.constantFrom({ toString: 1 }, { valueOf: 1, toString: 'x' }, { toJSON: 1 }, { length: 1e9 }, { every: 1, length: 2 }, [{ toString: [] }]);

const jsonValue = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, hostile, coercionTrap, fc.integer(), fc.double(), fc.boolean(), fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(fc.string({ maxLength: 10 }), fc.constantFrom('__proto__', 'constructor', 'prototype', 'email', 'password', 'code', 'text', 'token', 'purpose', 'reason',
      'title', 'detectedAt', 'awareAt', 'dataClasses', 'masterVersions', 'dataKeys', 'status', 'decision', 'kind', 'masterVersion', 'from', 'to', 'classes')), tie('value'), { maxKeys: 6 })),
})).value;

/** Bodies close to valid ones, so the handlers' own checks run (not only the JSON reader). */
const plausible = fc.record({
  email: fc.oneof(fc.constantFrom('agent@bank.example', 'nobody@bank.example'), hostile),
  password: fc.oneof(fc.constant('correct horse battery staple'), hostile),
  code: fc.oneof(fc.constantFrom('000000', '123456'), fc.integer(), hostile),
  text: fc.oneof(fc.constantFrom('Hello, how can I help?', '   ', ''), hostile),
  token: fc.oneof(fc.constantFrom('TOKEN:AAAAAAAAAAAAAAAAAAAAAA', '[TOKEN:abc]'), coercionTrap, hostile),
  purpose: fc.oneof(fc.constantFrom('customer_request', 'verify_details', 'fraud_check'), hostile),
  reason: fc.oneof(fc.constant('the customer asked me to confirm it'), coercionTrap, hostile),
  title: fc.oneof(fc.constant('Lost laptop with exports'), coercionTrap, hostile),
  detectedAt: fc.oneof(fc.constantFrom('2026-01-01T00:00:00Z', '2026-13-45T99:99:99Z', ''), fc.date({ noInvalidDate: false }).map((d) => String(d)), hostile),
  awareAt: fc.oneof(fc.constantFrom('2026-01-02T00:00:00Z', '0'), hostile),
  dataClasses: fc.oneof(fc.constantFrom(['transcripts'], ['state', 'handoff'], ['nope'], [], 'transcripts'), fc.array(hostile, { maxLength: 3 })),
  masterVersions: fc.oneof(fc.constantFrom(['v1'], ['v0'], 'v1'), fc.array(hostile, { maxLength: 3 })),
  dataKeys: fc.oneof(fc.constantFrom(['s_AAAAAAAAAAAAAAAAAAAAAA.1'], ['x']), fc.array(hostile, { maxLength: 3 })),
  status: fc.oneof(fc.constantFrom('open', 'contained', 'notified', 'closed', 'deleted'), hostile),
  decision: fc.oneof(fc.constant('No notification needed'), coercionTrap, hostile),
  kind: fc.oneof(fc.constantFrom('revoke_master', 'replace_keys', 'notify', 'format_disk'), hostile),
  masterVersion: fc.oneof(fc.constantFrom('v1', 'v2'), hostile),
  from: fc.oneof(fc.constantFrom('2026-01-01T00:00:00Z', 'yesterday'), hostile),
  to: fc.oneof(fc.constantFrom('2027-01-01T00:00:00Z'), hostile),
  classes: fc.oneof(fc.constantFrom(['transcripts'], ['x']), hostile),
}, { requiredKeys: [] }).map((v) => JSON.stringify(v));

const body = fc.oneof(
  fc.constant(undefined),
  { weight: 3, arbitrary: plausible },
  jsonValue.map((v) => JSON.stringify(v)),
  fc.dictionary(fc.constantFrom('email', 'password', 'code', 'text', 'token', 'purpose', 'reason', 'title', 'detectedAt', 'awareAt', 'dataClasses', 'status', 'decision', 'kind', 'from', 'to'), jsonValue, { maxKeys: 6 }).map((v) => JSON.stringify(v)),
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.constantFrom('\ufeff{"email":"a@b.example"}', '{"email":"a@b.example","email":{"x":1}}', '{"code":1e999,"text":-0}', '{"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":1}}}', '['.repeat(5000), '{"a":'.repeat(2000), '"x"', 'null', '1', '{"text":"' + 'x'.repeat(20000) + '"}', '{', '\u0000'),
);

/** Header values must be ByteStrings for fetch: anything else is mapped onto printable ASCII. */
const ascii = (s: string) => s.replace(/[^\x20-\x7e]/g, '?').slice(0, 4000);
const headerValue = fc.oneof(hostile, fc.string({ maxLength: 40 })).map(ascii);

const request = fc.record({
  who: fc.constantFrom(...WHO),
  /** Most requests come from a principal the route admits, so the handlers run; the rest from anyone. */
  fit: fc.boolean(),
  pick: fc.nat(),
  target: fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(...STAFF_ROUTES).map((rule) => ({ rule: rule as RouteRule | undefined, extra: '' })) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom('/api/staff/', '/staff/', '/api/staff/compliance/', '/staff/static/', '/api/staff/conversations/'), hostile).map(([p, x]) => ({ rule: undefined, extra: p + enc(x) })) },
  ),
  id: fc.oneof(fc.constantFrom('valid-conversation', 'valid-incident', 'valid-action', 'victim'), hostile),
  /** The id put into the path as it is (the URL parser of fetch normalises it) instead of percent-encoded. */
  rawId: fc.boolean(),
  method: fc.oneof({ weight: 9, arbitrary: fc.constant('rule') }, { weight: 1, arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD') }),
  query: fc.dictionary(fc.oneof(fc.constantFrom('from', 'to', 'channel', 'escalated', 'request', 'type', 'actor', 'object', '__proto__'), fc.string({ maxLength: 8 })), hostile, { maxKeys: 4 }),
  body,
  contentType: fc.oneof({ weight: 4, arbitrary: fc.constant('application/json') }, fc.constantFrom('application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', ''), headerValue),
  csrf: fc.oneof({ weight: 6, arbitrary: fc.constant('valid') }, { weight: 1, arbitrary: fc.constant('none') }, { weight: 1, arbitrary: headerValue }),
  origin: fc.oneof({ weight: 6, arbitrary: fc.constant('none') }, { weight: 1, arbitrary: fc.constant('same') }, { weight: 1, arbitrary: fc.constantFrom('https://evil.example', 'null', 'http://127.0.0.1') }, { weight: 1, arbitrary: headerValue }),
  fetchSite: fc.oneof({ weight: 6, arbitrary: fc.constant('none') }, { weight: 1, arbitrary: fc.constantFrom('same-origin', 'cross-site', 'same-site') }, { weight: 1, arbitrary: headerValue }),
  cookieJunk: fc.oneof({ weight: 6, arbitrary: fc.constant('') }, { weight: 1, arbitrary: fc.constantFrom('; x=%', '; tl_staff=1; tl_staff=2', `; pad=${'a'.repeat(9000)}`, ';;;=') }, { weight: 1, arbitrary: headerValue.map((v) => `; ${v}`) }),
}, { requiredKeys: ['who', 'fit', 'pick', 'target', 'id', 'rawId', 'method', 'query', 'body', 'contentType', 'csrf', 'origin', 'fetchSite', 'cookieJunk'] });

/** encodeURIComponent without the URIError on lone surrogates (they become U+FFFD, as a browser would send). */
const enc = (s: string) => encodeURIComponent(s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd'));

/**
 * Valid bodies of the state-changing routes; the mutation property replaces or adds one field of one of them with a
 * hostile value and sends it as a valid request (right role, CSRF token, JSON), so the handler's own input checks run.
 */
const VALID_BODIES: Record<string, Record<string, unknown>> = {
  'login.totp': { code: '123456' },
  'conversation.send': { text: 'Hello, I can help with that.' },
  'conversation.reveal': { token: 'TOKEN:AAAAAAAAAAAAAAAAAAAAAA', purpose: 'customer_request', reason: 'the customer asked me to confirm it' },
  'incidents.create': { title: 'Lost laptop with exports', detectedAt: '2026-01-01T00:00:00Z', awareAt: '2026-01-02T00:00:00Z', dataClasses: ['transcripts'], masterVersions: ['v1'], dataKeys: ['s_AAAAAAAAAAAAAAAAAAAAAA.1'] },
  'incidents.update': { status: 'contained', decision: 'Contained by rotating the key' },
  'incidents.scope': { classes: ['transcripts'], from: '2026-01-01T00:00:00Z', to: '2027-01-01T00:00:00Z', masterVersion: 'v1', dataKeys: ['s_AAAAAAAAAAAAAAAAAAAAAA.1'] },
  'incidents.propose': { kind: 'replace_keys', dataKeys: ['s_AAAAAAAAAAAAAAAAAAAAAA.1'], masterVersion: 'v1' },
  'login.password': { email: 'nobody@bank.example', password: 'not the password at all' },
};
const mutation = fc.record({
  route: fc.constantFrom(...Object.keys(VALID_BODIES)),
  field: fc.oneof(fc.constantFrom('code', 'text', 'token', 'purpose', 'reason', 'title', 'detectedAt', 'awareAt', 'dataClasses', 'masterVersions', 'dataKeys', 'status', 'decision', 'classes', 'from', 'to', 'masterVersion', 'kind', 'email', 'password'), fc.string({ maxLength: 8 })),
  value: fc.oneof(coercionTrap, jsonValue, fc.constant(undefined)),
  id: fc.constantFrom('valid-conversation', 'valid-incident', 'c_AAAAAAAAAAAAAAAAAAAAAA', 'inc_AAAAAAAAAAAAAAAA'),
});

const STACK = /TypeError|ReferenceError|SyntaxError|RangeError|Error:|at [\w.<>$]+ \(|node_modules|\.ts:\d+|\bstack\b/;
/** Path ids that route to the `:id` segment as they are (no slash, no query, no fragment, not empty). */
const routeSafe = (id: string) => id.length > 0 && id.length < 2000 && !/[/?#%\\]/.test(id) && id.trim() === id && id !== '.' && id !== '..';

// Bounded for the suite (< 60 s); FUZZ_RUNS / FUZZ_SEED explore further by hand.
const RUNS = Number(process.env.FUZZ_RUNS ?? 150);
const SEED = Number(process.env.FUZZ_SEED ?? 9100);

describe('staff API under fuzzed input (issue 9, fast-check)', function () {
  this.timeout(120_000);
  let redis: RedisProcess;
  let rc: RedisClientType;
  let a: RunningApp;
  let stub: ConnectorStub;
  const clock = new TestClock();
  const users = {} as Record<StaffRole, StaffUser>;
  const clients = {} as Record<'preMfa' | StaffRole, StaffClient>;
  let victim: StaffUser;
  const ids = { 'valid-conversation': '', 'valid-incident': '', 'valid-action': '', victim: '' };
  let requests = 0;
  const statuses = new Map<number, number>();

  const customer = (conversationId: string, text: string) => turn(a.url, text, { conversationId, userId: `u-${conversationId}`, extra: { serviceUrl: stub.url, locale: 'en-US' } });

  async function loginAll(): Promise<void> {
    // Fuzzed logins count as failures: the counters are reset so the real logins below are not throttled.
    for await (const batch of rc.scanIterator({ MATCH: 'tl:staff:fail:*', COUNT: 1000 })) for (const k of batch as unknown as string[]) await rc.del(k);
    for (const role of ['agent', 'supervisor', 'compliance', 'admin'] as const) {
      const alive = clients[role] && (await clients[role].req('GET', '/api/staff/session')).status === 200;
      if (alive) continue;
      clock.advance(31_000); // a TOTP time step is accepted once per account
      const c = new StaffClient(a.url);
      await c.login(users[role], clock.now());
      clients[role] = c;
    }
    const pre = new StaffClient(a.url);
    expect(await pre.loginPassword(users.agent)).to.equal(200);
    clients.preMfa = pre;
  }

  before(async () => {
    redis = await startRedis();
    rc = await redis.client();
    stub = await new ConnectorStub().start();
    a = await startApp({ REDIS_URL: redis.url, CONSENT_PRESET: 'keep', STAFF_LOGIN_MAX_FAILURES: '100', RETENTION_SWEEP_MINUTES: '0', HANDOFF_SWEEP_SECONDS: '3600', REDIS_COMMAND_TIMEOUT_MS: '3000' }, { clock });
    for (const role of ['agent', 'supervisor', 'compliance', 'admin'] as const) users[role] = await createStaff(a, [role]);
    victim = await createStaff(a, ['agent']);
    ids.victim = victim.id;
    await loginAll();
    expect((await customer('fuzz-queued', 'I want to talk to a person')).texts.join(' ')).to.match(/queue/);
    ids['valid-conversation'] = a.app.pseudonyms.conversationOwner('test', 'fuzz-queued');
    const now = new Date(clock.now()).toISOString();
    const inc = await clients.compliance.req('POST', '/api/staff/incidents', { title: 'Fuzzing incident register', detectedAt: now, awareAt: now, dataClasses: ['transcripts'] });
    expect(inc.status).to.equal(201);
    ids['valid-incident'] = String(inc.json.id);
    const act = await clients.admin.req('POST', `/api/staff/incidents/${ids['valid-incident']}/actions`, { kind: 'replace_keys', dataKeys: ['s_AAAAAAAAAAAAAAAAAAAAAA.1'] });
    expect(act.status).to.equal(201);
    ids['valid-action'] = String(act.json.id);
  });
  after(async () => { await a?.stop(); await stub?.stop(); await redis?.stop(); });

  function principalOf(who: Who): Principal {
    if (who === 'none' || who === 'garbage') return { session: 'none', roles: [] };
    if (who === 'preMfa') return { session: 'preMfa', roles: ['agent'] };
    return { session: 'mfa', roles: [who] };
  }

  async function relogin(who: 'preMfa' | StaffRole): Promise<void> {
    const c = new StaffClient(a.url);
    if (who === 'preMfa') {
      expect(await c.loginPassword(users.agent)).to.equal(200);
    } else {
      clock.advance(31_000);
      await c.login(users[who], clock.now());
    }
    clients[who] = c;
  }

  async function send(input: typeof request extends fc.Arbitrary<infer T> ? T : never): Promise<void> {
    const r = { ...input };
    const access = r.target.rule?.access;
    if (r.fit && access && access !== 'public') r.who = access === 'preMfa' ? 'preMfa' : access === 'any' ? 'agent' : access[r.pick % access.length]!;
    const client = r.who === 'none' || r.who === 'garbage' ? undefined : clients[r.who];
    const idValue = Object.hasOwn(ids, r.id) ? ids[r.id as keyof typeof ids] : r.id;
    const rule = r.target.rule;
    const path = rule ? rule.path.replace(':id', r.rawId ? idValue.replace(/[\ud800-\udfff]/g, '\ufffd') : enc(idValue)) : r.target.extra;
    const qs = Object.entries(r.query).map(([k, v]) => `${enc(k)}=${enc(v)}`).join('&');
    const method = r.method === 'rule' ? (rule?.verb ?? 'GET') : r.method;
    const headers: Record<string, string> = { Accept: 'application/json' };
    let cookie = client?.cookie ?? (r.who === 'garbage' ? '__Host-tl_staff=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' : '');
    if (r.cookieJunk) cookie = cookie ? `${cookie}${r.cookieJunk}` : r.cookieJunk.replace(/^; /, '');
    if (cookie) headers.Cookie = cookie;
    if (r.contentType) headers['Content-Type'] = r.contentType;
    if (r.csrf === 'valid') { if (client?.csrf) headers['X-CSRF-Token'] = client.csrf; } else if (r.csrf !== 'none') headers['X-CSRF-Token'] = r.csrf;
    if (r.origin === 'same') headers.Origin = new URL(a.url).origin; else if (r.origin !== 'none') headers.Origin = r.origin;
    if (r.fetchSite !== 'none') headers['Sec-Fetch-Site'] = r.fetchSite;
    const withBody = r.body !== undefined && method !== 'GET' && method !== 'HEAD';
    const res = await fetch(`${a.url}${path}${qs ? `?${qs}` : ''}`, { method, headers, redirect: 'manual', signal: AbortSignal.timeout(10_000), ...(withBody ? { body: r.body } : {}) });
    requests++;
    statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    if (process.env.FUZZ_DEBUG) process.stderr.write(`${r.who} ${rule?.id ?? 'path'} ${res.status}\n`);
    let text = '';
    if ((res.headers.get('content-type') ?? '').startsWith('text/event-stream')) await res.body?.cancel();
    else text = await res.text();
    const label = `${method} ${path.slice(0, 120)} as ${r.who}: ${res.status} ${text.slice(0, 200)}`;
    // A session ended by the fuzz itself (logout) is replaced, so the next requests still reach the handlers.
    if (client && r.who === 'preMfa' && rule?.id === 'logout' && res.status === 200) await relogin('preMfa');
    else if (client && r.who !== 'preMfa' && (res.status === 401 || res.status === 303 || (rule?.id === 'logout' && res.status === 200))) {
      if ((await client.req('GET', '/api/staff/session')).status !== 200) await relogin(r.who as StaffRole);
    }
    expect(res.status, label).to.be.lessThan(500);
    expect(text, label).to.not.match(STACK);
    // RBAC: a route that matched, asked by someone the matrix refuses, is answered before any handler runs.
    // (431/414: Node's HTTP parser refused the request line or headers as too large, before any routing.)
    if (rule && r.method === 'rule' && routeSafe(idValue) && (!r.rawId || /^[A-Za-z0-9_-]*$/.test(idValue)) && res.status !== 431 && res.status !== 414) {
      const decision = decideAccess(rule, principalOf(r.who));
      if (decision !== 'allow') {
        // (A page answers an unauthenticated caller with a redirect to the login page.)
        expect(res.status, label).to.be.oneOf(rule.kind === 'page' ? [303, 403] : [401, 403]);
        // (A session the fuzz itself ended, by a logout, answers 401 where its role would have been 403.)
        if (res.status !== 303) expect(text, label).to.be.oneOf(['{"error":"unauthorized"}', '{"error":"forbidden"}']);
      }
      // A password-only session never reaches a role route (ST-1), whatever the role of its account.
      if (r.who === 'preMfa' && Array.isArray(rule.access)) expect(res.status, label).to.be.oneOf([303, 401]);
    }
  }

  async function stillServing(batch: number): Promise<void> {
    await loginAll();
    const q = await clients.agent.req('GET', '/api/staff/queue');
    expect(q.status).to.equal(200);
    const audit = await clients.compliance.req('GET', '/api/staff/compliance/audit?type=staff');
    expect(audit.status).to.equal(200);
    expect((audit.json.verified as { ok: boolean }).ok, 'the audit chain still verifies').to.equal(true);
    const now = new Date(clock.now()).toISOString();
    expect((await clients.admin.req('POST', '/api/staff/incidents', { title: `Batch ${batch} check incident`, detectedAt: now, awareAt: now })).status).to.equal(201);
    const ok = await customer(`fuzz-customer-${batch}`, 'help');
    expect(ok.status).to.equal(200);
    expect(ok.texts.join()).to.match(/where is my order/);
    // The accounts of the roles were never disabled by anyone but an admin (the victim may have been).
    for (const role of ['agent', 'supervisor', 'compliance', 'admin'] as const) expect((await a.app.handoff!.accounts.get(users[role].id))?.disabled ?? false, role).to.equal(false);
  }

  async function sendMutated(m: typeof mutation extends fc.Arbitrary<infer T> ? T : never): Promise<void> {
    const rule = STAFF_ROUTES.find((x) => x.id === m.route)!;
    const b: Record<string, unknown> = { ...VALID_BODIES[m.route] };
    if (m.value === undefined) delete b[m.field]; else b[m.field] = m.value;
    const who = rule.access === 'public' ? 'none' : rule.access === 'preMfa' ? 'preMfa' : (rule.access as readonly StaffRole[])[0]!;
    await send({ who, fit: false, pick: 0, target: { rule, extra: '' }, id: rule.path.includes('incidents') ? m.id.replace(/^valid-conversation$/, 'valid-incident') : m.id.replace(/^valid-incident$/, 'valid-conversation'), rawId: false, method: 'rule', query: {}, body: JSON.stringify(b), contentType: 'application/json', csrf: 'valid', origin: 'none', fetchSite: 'none', cookieJunk: '' });
  }

  it('answers every fuzzed staff request below 500 without error text, never beyond the caller\'s role, and keeps serving', async () => {
    for (let batch = 0; batch < 4; batch++) {
      await fc.assert(fc.asyncProperty(request, async (r) => send(r)), { numRuns: RUNS, seed: SEED + batch });
      await fc.assert(fc.asyncProperty(mutation, async (m) => sendMutated(m)), { numRuns: Math.ceil(RUNS / 2), seed: SEED + 50 + batch });
      await stillServing(batch);
    }
    expect(requests).to.be.greaterThan(RUNS * 6 - 50);
    // The run reached the handlers, not only the guard: successes and handler refusals are both there.
    expect(statuses.get(200) ?? 0, JSON.stringify([...statuses])).to.be.greaterThan(10);
    expect((statuses.get(400) ?? 0) + (statuses.get(404) ?? 0) + (statuses.get(415) ?? 0), JSON.stringify([...statuses])).to.be.greaterThan(20);
    expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
    expect(Object.prototype).to.not.have.property('polluted');
  });

  it('logs no stack trace nor request failure for the fuzzed input (every refusal is an expected one)', () => {
    const failed = a.logs.lines.filter((l) => /staff\.request_failed|bot\.turn\.error|"level":"(?:error|fatal)"|"level":[56]0/.test(l));
    expect(failed, failed.slice(0, 3).join('\n')).to.deep.equal([]);
  });
});
