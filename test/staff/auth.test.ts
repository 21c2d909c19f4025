import { expect } from 'chai';
import { spawn } from 'node:child_process';
import type { RedisClientType } from 'redis';
import { startApp, testEnv, type RunningApp } from '../support/app.js';
import { sharedRedis, dumpRedis } from '../support/redis.js';
import { StaffClient, TestClock, createStaff, totpCode, totpSecretOf } from '../handoff/support.js';

describe('staff login: argon2id + TOTP, sessions, throttling, CSRF, disable', function () {
  this.timeout(90000);
  let a: RunningApp;
  let redis: RedisClientType;
  const clock = new TestClock();

  before(async () => {
    const r = await sharedRedis();
    redis = await r.client();
    a = await startApp({ REDIS_URL: r.url, STAFF_LOGIN_MAX_FAILURES: '3' }, { clock });
  });
  after(async () => { await a?.stop(); });

  const step = () => clock.advance(31_000);

  it('sets a __Host- cookie that is Secure, HttpOnly and SameSite=Strict, and replaces it after the second factor', async () => {
    const u = await createStaff(a, ['agent']);
    const c = new StaffClient(a.url);
    const r = await c.req('POST', '/api/staff/login', { email: u.email, password: u.password });
    expect(r.status).to.equal(200);
    const cookie = r.headers.getSetCookie()[0]!;
    expect(cookie).to.match(/^__Host-tl_staff=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; Secure; SameSite=Strict$/);
    const preMfa = c.cookie;
    step();
    const t = await c.req('POST', '/api/staff/login/totp', { code: await totpCode(u.secret, clock.now()) });
    expect(t.status).to.equal(200);
    expect(c.cookie).to.not.equal(preMfa);
    // The password-only session is gone.
    const old = new StaffClient(a.url);
    old.cookie = preMfa;
    expect((await old.req('POST', '/api/staff/login/totp', { code: '000000' })).status).to.equal(401);
  });

  it('answers a wrong password and an unknown address alike, and never stores the address, password or TOTP secret', async () => {
    const u = await createStaff(a, ['agent']);
    const c = new StaffClient(a.url);
    const wrong = await c.req('POST', '/api/staff/login', { email: u.email, password: 'not the password at all' });
    const unknown = await c.req('POST', '/api/staff/login', { email: 'ghost@bank.example', password: 'not the password at all' });
    expect([wrong.status, wrong.text]).to.deep.equal([401, '{"error":"login_failed"}']);
    expect([unknown.status, unknown.text]).to.deep.equal([wrong.status, wrong.text]);
    const dump = [...(await dumpRedis(redis)).entries()].map(([k, v]) => `${k}=${v}`).join('\n');
    expect(dump).to.not.contain(u.email);
    expect(dump).to.not.contain(u.password);
    expect(dump).to.not.contain(u.secret);
    expect(dump).to.contain('$argon2id$');
  });

  it('accepts a TOTP code once (ST-4) and refuses a wrong one', async () => {
    const u = await createStaff(a, ['agent']);
    step();
    const code = await totpCode(u.secret, clock.now());
    const c1 = new StaffClient(a.url);
    await c1.loginPassword(u);
    expect((await c1.req('POST', '/api/staff/login/totp', { code: String((Number(code) + 1) % 1_000_000).padStart(6, '0') })).status).to.equal(401);
    expect((await c1.req('POST', '/api/staff/login/totp', { code })).status).to.equal(200);
    const c2 = new StaffClient(a.url);
    await c2.loginPassword(u);
    expect((await c2.req('POST', '/api/staff/login/totp', { code })).status).to.equal(401);
  });

  it('throttles logins per account after the configured failures, even with the right password', async () => {
    const u = await createStaff(a, ['agent']);
    const c = new StaffClient(a.url);
    for (let i = 0; i < 3; i++) expect(await c.req('POST', '/api/staff/login', { email: u.email, password: 'wrong wrong wrong' }).then((r) => r.status)).to.equal(401);
    expect(await c.loginPassword(u)).to.equal(429);
    const events = ((await redis.xRange('tl:audit', '-', '+')) ?? []).map((e) => e.message);
    expect(events.filter((e) => e.type === 'staff.login_failed' && e.actor === u.id).length).to.be.at.least(3);
  });

  it('ends agent sessions after 1 h idle and 24 h absolute, compliance after 15 min idle', async () => {
    const agent = await createStaff(a, ['agent']);
    const c = new StaffClient(a.url);
    step();
    await c.login(agent, clock.now());
    const start = clock.now();
    clock.advance(59 * 60_000);
    expect((await c.req('GET', '/api/staff/session')).status).to.equal(200);
    // Active every 50 minutes: idle never hits, the absolute limit does, at 24 h.
    let endedAfter = 0;
    for (let i = 0; i < 40 && !endedAfter; i++) {
      clock.advance(50 * 60_000);
      if ((await c.req('GET', '/api/staff/session')).status === 401) endedAfter = clock.now() - start;
    }
    expect(endedAfter).to.be.within(24 * 3600_000, 24 * 3600_000 + 50 * 60_000);
    const idle = new StaffClient(a.url);
    step();
    await idle.login(agent, clock.now());
    clock.advance(61 * 60_000);
    expect((await idle.req('GET', '/api/staff/session')).status).to.equal(401);

    const comp = await createStaff(a, ['compliance']);
    const cc = new StaffClient(a.url);
    step();
    await cc.login(comp, clock.now());
    clock.advance(14 * 60_000);
    expect((await cc.req('GET', '/api/staff/session')).status).to.equal(200);
    clock.advance(16 * 60_000);
    expect((await cc.req('GET', '/api/staff/session')).status).to.equal(401);
  });

  it('refuses state changes without the CSRF token or from another origin', async () => {
    const u = await createStaff(a, ['agent']);
    const c = new StaffClient(a.url);
    step();
    await c.login(u, clock.now());
    expect((await c.req('POST', '/api/staff/conversations/c_AAAAAAAAAAAAAAAAAAAAAA/claim', {}, { 'X-CSRF-Token': '' })).status).to.equal(403);
    expect((await c.req('POST', '/api/staff/conversations/c_AAAAAAAAAAAAAAAAAAAAAA/claim', {}, { Origin: 'https://evil.example' })).status).to.equal(403);
    expect((await c.req('POST', '/api/staff/conversations/c_AAAAAAAAAAAAAAAAAAAAAA/claim', {})).status).to.equal(404);
  });

  it('disabling an account ends its sessions at once', async () => {
    const admin = await createStaff(a, ['admin']);
    const victim = await createStaff(a, ['agent']);
    const ca = new StaffClient(a.url);
    const cv = new StaffClient(a.url);
    step();
    await ca.login(admin, clock.now());
    await cv.login(victim, clock.now());
    expect((await cv.req('GET', '/api/staff/queue')).status).to.equal(200);
    expect((await ca.req('POST', `/api/staff/accounts/${victim.id}/disable`)).status).to.equal(200);
    expect((await cv.req('GET', '/api/staff/queue')).status).to.equal(401);
    step();
    expect(await new StaffClient(a.url).loginPassword(victim)).to.equal(401);
    expect((await ca.req('POST', '/api/staff/accounts/st_AAAAAAAAAAAAAAAA/disable')).status).to.equal(404);
  });

  it('trustline staff add prints the TOTP enrolment URI once and the account logs in; staff disable ends it', async () => {
    const r = await sharedRedis();
    const env = { ...testEnv({ REDIS_URL: r.url }), ...a.env, PATH: process.env.PATH! } as Record<string, string>;
    const run = (args: string[], stdin = '') => new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
      const p = spawn(process.execPath, ['bin/trustline.js', ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
      let out = ''; let err = '';
      p.stdout.on('data', (d: Buffer) => { out += d.toString(); });
      p.stderr.on('data', (d: Buffer) => { err += d.toString(); });
      p.on('exit', (code) => resolve({ code, out, err }));
      p.stdin.end(stdin);
    });
    const email = `cli.${Date.now()}@bank.example`;
    const added = await run(['staff', 'add', '--role', 'agent', '--email', email, '--password-stdin'], 'a long enough password\n');
    expect(added.code, added.err).to.equal(0);
    const uri = /otpauth:\/\/totp\/\S+/.exec(added.out)?.[0];
    expect(uri).to.match(/^otpauth:\/\/totp\/Trustline:st_/);
    expect(added.out).to.not.contain(email);
    const id = /account: (st_\S+)/.exec(added.out)![1]!;
    const again = await run(['staff', 'add', '--role', 'agent', '--email', email, '--password-stdin'], 'a long enough password\n');
    expect(again.code).to.equal(2);
    expect(again.out).to.not.match(/otpauth/);
    const c = new StaffClient(a.url);
    step();
    await c.login({ id, email, password: 'a long enough password', secret: totpSecretOf(uri!), roles: ['agent'] }, clock.now());
    const disabled = await run(['staff', 'disable', '--id', id]);
    expect(disabled.code, disabled.err).to.equal(0);
    expect(disabled.out).to.contain('ended 1 session');
    expect((await c.req('GET', '/api/staff/session')).status).to.equal(401);
  });
});
