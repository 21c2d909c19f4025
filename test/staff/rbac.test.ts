import { expect } from 'chai';
import { startApp, type RunningApp } from '../support/app.js';
import { sharedRedis } from '../support/redis.js';
import { StaffClient, TestClock, createStaff, totpCode } from '../handoff/support.js';
import { STAFF_ROUTES, type StaffRole } from '../../staff/rbac.js';

/**
 * Walks the whole role x route x verb matrix against the running server (AZ-1, ST-1). The expectations are written
 * out here by hand, independently of staff/rbac.ts; the test fails if the two disagree or a route is not covered.
 */
type Who = 'none' | 'preMfa' | 'expired' | StaffRole;
const ALL: Who[] = ['none', 'preMfa', 'expired', 'agent', 'supervisor', 'compliance', 'admin'];
const EXPECTED_ALLOWED: Record<string, Who[]> = {
  'GET /staff/login': ALL,
  'GET /staff/agent': ['agent', 'supervisor'],
  'POST /api/staff/login': ALL,
  'POST /api/staff/login/totp': ['preMfa'],
  'POST /api/staff/logout': ['preMfa', 'agent', 'supervisor', 'compliance', 'admin'],
  'GET /api/staff/session': ['agent', 'supervisor', 'compliance', 'admin'],
  'GET /api/staff/queue': ['agent', 'supervisor'],
  'GET /api/staff/events': ['agent', 'supervisor'],
  'POST /api/staff/conversations/:id/claim': ['agent'],
  'GET /api/staff/conversations/:id': ['agent'],
  'POST /api/staff/conversations/:id/messages': ['agent'],
  'POST /api/staff/conversations/:id/reveal': ['agent'],
  'POST /api/staff/conversations/:id/handback': ['agent'],
  'POST /api/staff/conversations/:id/close': ['agent'],
  'GET /api/staff/reveals': ['supervisor', 'compliance'],
  'GET /api/staff/accounts': ['admin'],
  'POST /api/staff/accounts/:id/disable': ['admin'],
  // Compliance console (issue 7).
  'GET /staff/compliance': ['compliance', 'admin'],
  'GET /staff/retention': ['compliance', 'admin'],
  'GET /api/staff/compliance/conversations': ['compliance'],
  'GET /api/staff/compliance/conversations/:id': ['compliance'],
  'GET /api/staff/compliance/conversations/:id/export': ['compliance'],
  'GET /api/staff/compliance/requests': ['compliance'],
  'GET /api/staff/compliance/audit': ['compliance', 'admin'],
  'GET /api/staff/compliance/audit/export': ['compliance', 'admin'],
  'GET /api/staff/compliance/retention': ['compliance', 'admin'],
  'GET /api/staff/incidents': ['compliance', 'admin'],
  'POST /api/staff/incidents': ['compliance', 'admin'],
  'GET /api/staff/incidents/:id': ['compliance', 'admin'],
  'POST /api/staff/incidents/:id': ['compliance', 'admin'],
  'POST /api/staff/incidents/:id/scope': ['compliance', 'admin'],
  'POST /api/staff/incidents/:id/actions': ['admin'],
  'POST /api/staff/actions/:id/approve': ['admin'],
};

describe('staff RBAC matrix (every route x role x verb, no session, password-only and expired sessions)', function () {
  this.timeout(120000);
  let a: RunningApp;
  const clock = new TestClock();

  before(async () => {
    const r = await sharedRedis();
    a = await startApp({ REDIS_URL: r.url, STAFF_COOKIE_SECURE: 'true' }, { clock });
  });
  after(async () => { await a?.stop(); });

  it('covers every route of the matrix file and no other', () => {
    expect(STAFF_ROUTES.map((r) => `${r.verb} ${r.path}`).sort()).to.deep.equal(Object.keys(EXPECTED_ALLOWED).sort());
  });

  async function clientFor(who: Who): Promise<StaffClient> {
    const c = new StaffClient(a.url);
    if (who === 'none') return c;
    const role: StaffRole = who === 'preMfa' || who === 'expired' ? 'agent' : who;
    const u = await createStaff(a, [role]);
    if (who === 'preMfa') {
      expect(await c.loginPassword(u)).to.equal(200);
      return c;
    }
    clock.advance(31_000);
    await c.login(u, clock.now());
    if (who === 'expired') {
      clock.advance(61 * 60_000); // past the agent idle limit
    }
    return c;
  }

  function concrete(path: string, ids: { staff: string }): string {
    return path.replace(':id', path.includes('accounts') ? ids.staff : 'c_AAAAAAAAAAAAAAAAAAAAAA');
  }

  for (const rule of STAFF_ROUTES) {
    it(`${rule.verb} ${rule.path}`, async () => {
      const key = `${rule.verb} ${rule.path}`;
      const victim = await createStaff(a, ['agent']);
      for (const who of ALL) {
        // A fresh client per principal and route: logout and disable must not spoil the next row.
        const c = await clientFor(who);
        const path = concrete(rule.path, { staff: victim.id });
        let body: unknown;
        if (rule.id === 'login.password') body = { email: 'nobody@bank.example', password: 'wrong password here' };
        else if (rule.id === 'login.totp') body = { code: await totpCode('JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP', clock.now()) };
        else if (rule.verb === 'POST') body = { text: 'hello there', token: '[TOKEN:0123456789]', purpose: 'other', reason: 'a long enough reason' };
        let status: number;
        let error: unknown;
        if (rule.kind === 'sse') {
          const ctrl = new AbortController();
          const res = await fetch(`${a.url}${path}`, { headers: c.cookie ? { Cookie: c.cookie } : {}, signal: ctrl.signal });
          status = res.status;
          if (status !== 200) error = ((await res.json()) as { error?: string }).error;
          ctrl.abort();
        } else {
          const r = await c.req(rule.verb, path, body);
          status = r.status;
          error = r.json.error;
        }
        const allowed = EXPECTED_ALLOWED[key]!.includes(who);
        const denied = status === 401 && error === 'unauthorized' || status === 403 && error === 'forbidden' || (rule.kind === 'page' && status === 303);
        expect(denied, `${key} as ${who}: ${status} ${String(error)}`).to.equal(!allowed);
        if (!allowed) {
          // No session / expired / password-only: 401 (pages: to the login page); a session without the role: 403.
          const unauth = who === 'none' || who === 'expired' || (who === 'preMfa' && rule.id !== 'login.totp');
          if (rule.kind === 'page') expect(status, `${key} as ${who}`).to.equal(unauth ? 303 : 403);
          else expect(status, `${key} as ${who}`).to.equal(unauth ? 401 : 403);
        }
      }
    });
  }

  it('answers an unlisted verb on a staff path with 405, never with data', async () => {
    for (const rule of STAFF_ROUTES) {
      const other = rule.verb === 'GET' ? 'DELETE' : 'PUT';
      const res = await fetch(`${a.url}${rule.path.replace(':id', 'c_AAAAAAAAAAAAAAAAAAAAAA')}`, { method: other });
      expect([405, 404], `${other} ${rule.path}`).to.include(res.status);
    }
  });
});
