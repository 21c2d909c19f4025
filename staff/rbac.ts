/**
 * THE role x route x verb matrix of the staff surface (AZ-1). Every `/api/staff/*` route and every `/staff/*` page
 * is listed here exactly once; `mountStaffRoutes` registers nothing that is not in this table, and the RBAC test walks
 * all of it. Roles come from the server-side account on every request, never from headers or the body (AZ-4).
 *
 * Access levels:
 *   public  no session needed (the login steps and the static login page);
 *   preMfa  only a password-verified session that still lacks its second factor (the TOTP step);
 *   any     any session, MFA or not (logout must always work);
 *   Role[]  an MFA session whose account holds at least one of these roles (ST-1: no password-only session passes).
 */
export type StaffRole = 'agent' | 'supervisor' | 'compliance' | 'admin';
export const STAFF_ROLES: readonly StaffRole[] = ['agent', 'supervisor', 'compliance', 'admin'];
export type Verb = 'GET' | 'POST';
export type Access = 'public' | 'preMfa' | 'any' | readonly StaffRole[];

export interface RouteRule {
  id: string;
  verb: Verb;
  /** restify path; `:id` is an object id (another object's id answers 404 exactly like a missing one, AZ-2). */
  path: string;
  access: Access;
  /** State-changing: needs the session's CSRF token in `X-CSRF-Token` and a same-origin request. */
  csrf: boolean;
  kind: 'api' | 'page' | 'sse';
}

const AGENTS: readonly StaffRole[] = ['agent'];
const QUEUE_VIEWERS: readonly StaffRole[] = ['agent', 'supervisor'];
const EVERY_ROLE: readonly StaffRole[] = STAFF_ROLES;
// Compliance console (issue 7): transcripts and requests for compliance; the audit log, retention and incidents also
// for admins; four-eyes key and notification actions are proposed and approved by admins only.
const COMPLIANCE: readonly StaffRole[] = ['compliance'];
const OVERSIGHT: readonly StaffRole[] = ['compliance', 'admin'];
const ADMINS: readonly StaffRole[] = ['admin'];

export const STAFF_ROUTES: readonly RouteRule[] = Object.freeze([
  // Pages: the console needs an MFA session; the login page does not.
  { id: 'page.login', verb: 'GET', path: '/staff/login', access: 'public', csrf: false, kind: 'page' },
  { id: 'page.agent', verb: 'GET', path: '/staff/agent', access: QUEUE_VIEWERS, csrf: false, kind: 'page' },
  // Login. Login POSTs carry no session yet: they are protected by the same-origin check and JSON content type.
  { id: 'login.password', verb: 'POST', path: '/api/staff/login', access: 'public', csrf: false, kind: 'api' },
  { id: 'login.totp', verb: 'POST', path: '/api/staff/login/totp', access: 'preMfa', csrf: false, kind: 'api' },
  { id: 'logout', verb: 'POST', path: '/api/staff/logout', access: 'any', csrf: true, kind: 'api' },
  { id: 'session', verb: 'GET', path: '/api/staff/session', access: EVERY_ROLE, csrf: false, kind: 'api' },
  // Agent work.
  { id: 'queue', verb: 'GET', path: '/api/staff/queue', access: QUEUE_VIEWERS, csrf: false, kind: 'api' },
  { id: 'events', verb: 'GET', path: '/api/staff/events', access: QUEUE_VIEWERS, csrf: false, kind: 'sse' },
  { id: 'conversation.claim', verb: 'POST', path: '/api/staff/conversations/:id/claim', access: AGENTS, csrf: true, kind: 'api' },
  { id: 'conversation.view', verb: 'GET', path: '/api/staff/conversations/:id', access: AGENTS, csrf: false, kind: 'api' },
  { id: 'conversation.send', verb: 'POST', path: '/api/staff/conversations/:id/messages', access: AGENTS, csrf: true, kind: 'api' },
  { id: 'conversation.reveal', verb: 'POST', path: '/api/staff/conversations/:id/reveal', access: AGENTS, csrf: true, kind: 'api' },
  { id: 'conversation.handback', verb: 'POST', path: '/api/staff/conversations/:id/handback', access: AGENTS, csrf: true, kind: 'api' },
  { id: 'conversation.close', verb: 'POST', path: '/api/staff/conversations/:id/close', access: AGENTS, csrf: true, kind: 'api' },
  // Oversight.
  { id: 'reveals', verb: 'GET', path: '/api/staff/reveals', access: ['supervisor', 'compliance'], csrf: false, kind: 'api' },
  // Administration.
  { id: 'accounts.list', verb: 'GET', path: '/api/staff/accounts', access: ['admin'], csrf: false, kind: 'api' },
  { id: 'accounts.disable', verb: 'POST', path: '/api/staff/accounts/:id/disable', access: ['admin'], csrf: true, kind: 'api' },
  // Compliance console (compliance/routes.ts). No route here returns unredacted text; every transcript view is audited.
  { id: 'page.compliance', verb: 'GET', path: '/staff/compliance', access: OVERSIGHT, csrf: false, kind: 'page' },
  { id: 'page.retention', verb: 'GET', path: '/staff/retention', access: OVERSIGHT, csrf: false, kind: 'page' },
  { id: 'compliance.conversations', verb: 'GET', path: '/api/staff/compliance/conversations', access: COMPLIANCE, csrf: false, kind: 'api' },
  { id: 'compliance.transcript', verb: 'GET', path: '/api/staff/compliance/conversations/:id', access: COMPLIANCE, csrf: false, kind: 'api' },
  { id: 'compliance.transcript.export', verb: 'GET', path: '/api/staff/compliance/conversations/:id/export', access: COMPLIANCE, csrf: false, kind: 'api' },
  { id: 'compliance.requests', verb: 'GET', path: '/api/staff/compliance/requests', access: COMPLIANCE, csrf: false, kind: 'api' },
  { id: 'compliance.audit', verb: 'GET', path: '/api/staff/compliance/audit', access: OVERSIGHT, csrf: false, kind: 'api' },
  { id: 'compliance.audit.export', verb: 'GET', path: '/api/staff/compliance/audit/export', access: OVERSIGHT, csrf: false, kind: 'api' },
  { id: 'compliance.retention', verb: 'GET', path: '/api/staff/compliance/retention', access: OVERSIGHT, csrf: false, kind: 'api' },
  { id: 'incidents.list', verb: 'GET', path: '/api/staff/incidents', access: OVERSIGHT, csrf: false, kind: 'api' },
  { id: 'incidents.create', verb: 'POST', path: '/api/staff/incidents', access: OVERSIGHT, csrf: true, kind: 'api' },
  { id: 'incidents.view', verb: 'GET', path: '/api/staff/incidents/:id', access: OVERSIGHT, csrf: false, kind: 'api' },
  { id: 'incidents.update', verb: 'POST', path: '/api/staff/incidents/:id', access: OVERSIGHT, csrf: true, kind: 'api' },
  { id: 'incidents.scope', verb: 'POST', path: '/api/staff/incidents/:id/scope', access: OVERSIGHT, csrf: true, kind: 'api' },
  { id: 'incidents.propose', verb: 'POST', path: '/api/staff/incidents/:id/actions', access: ADMINS, csrf: true, kind: 'api' },
  { id: 'actions.approve', verb: 'POST', path: '/api/staff/actions/:id/approve', access: ADMINS, csrf: true, kind: 'api' },
] satisfies RouteRule[]);

export function routeById(id: string): RouteRule {
  const r = STAFF_ROUTES.find((x) => x.id === id);
  if (!r) throw new Error(`unknown staff route ${id}`);
  return r;
}

export interface Principal {
  /** No session, or an expired/ended one. */
  session: 'none' | 'preMfa' | 'mfa';
  roles: readonly StaffRole[];
}

export type Decision = 'allow' | 'unauthenticated' | 'forbidden';

/** Pure: the one place a route's access is decided. */
export function decideAccess(rule: RouteRule, who: Principal): Decision {
  const a = rule.access;
  if (a === 'public') return 'allow';
  if (a === 'preMfa') return who.session === 'preMfa' ? 'allow' : who.session === 'none' ? 'unauthenticated' : 'forbidden';
  if (a === 'any') return who.session === 'none' ? 'unauthenticated' : 'allow';
  if (who.session !== 'mfa') return 'unauthenticated';
  return who.roles.some((r) => a.includes(r)) ? 'allow' : 'forbidden';
}
