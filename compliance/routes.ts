/**
 * Handlers of the compliance routes in the staff RBAC matrix (staff/rbac.ts). The staff guard has already checked
 * session, MFA, role and CSRF; these check input, answer 404 for anything unknown (AZ-2) and send JSON `no-store`.
 * Exports are JSON attachments; a transcript export is audited like a view.
 */
import type { IncomingMessage } from 'node:http';
import { HttpRefusal, sendJson } from '../http/body.js';
import { isConversationId } from '../handoff/store.js';
import type { StaffHandler, StaffHandlerKit } from '../staff/routes.js';
import type { ComplianceService } from './service.js';
import { parseScopeQuery } from './scope.js';
import { ACTION_KINDS, INCIDENT_STATUSES, isActionId, isIncidentId, parseClasses, type ActionKind, type IncidentStatus } from './incidents.js';
import { requestIdOf } from '../http/requestContext.js';

function query(req: IncomingMessage): URLSearchParams {
  return new URL(req.url ?? '/', 'http://localhost').searchParams;
}
function dateParam(q: URLSearchParams, name: string): Date | undefined {
  const v = q.get(name);
  if (!v) return undefined;
  const t = Date.parse(v);
  if (!Number.isFinite(t)) throw new HttpRefusal(400, 'bad_request');
  return new Date(t);
}
const WORD = /^[A-Za-z0-9_.:-]{1,80}$/;
function wordParam(q: URLSearchParams, name: string): string | undefined {
  const v = q.get(name);
  if (!v) return undefined;
  if (!WORD.test(v)) throw new HttpRefusal(400, 'bad_request');
  return v;
}
function isoField(v: unknown): string {
  if (typeof v !== 'string' || !Number.isFinite(Date.parse(v))) throw new HttpRefusal(400, 'bad_request');
  return new Date(Date.parse(v)).toISOString();
}
function attachment(name: string): Record<string, string> {
  return { 'Content-Disposition': `attachment; filename="${name}"` };
}

export function complianceHandlers(svc: ComplianceService, kit: StaffHandlerKit): Record<string, StaffHandler> {
  return {
    'page.compliance': async ({ res }) => kit.pages.servePage('compliance', res),
    'page.retention': async ({ res }) => kit.pages.servePage('retention', res),

    'compliance.conversations': async ({ req, res }) => {
      const q = query(req);
      const to = dateParam(q, 'to') ?? new Date(8.64e15);
      const from = dateParam(q, 'from') ?? new Date(0);
      const esc = q.get('escalated');
      const items = await svc.searchConversations({
        from, to, ...(wordParam(q, 'channel') ? { channel: wordParam(q, 'channel')! } : {}),
        ...(esc === 'yes' || esc === 'no' ? { escalated: esc === 'yes' } : {}),
        ...(wordParam(q, 'request') ? { request: wordParam(q, 'request')! } : {}),
      });
      sendJson(res, 200, { items });
    },

    'compliance.transcript': async ({ req, res, session }) => {
      const c = kit.idParam(req, isConversationId);
      const v = await svc.viewTranscript(session!.staffId, c, 'review');
      if (!v) throw new HttpRefusal(404, 'not_found');
      sendJson(res, 200, v);
    },

    'compliance.transcript.export': async ({ req, res, session }) => {
      const c = kit.idParam(req, isConversationId);
      const v = await svc.viewTranscript(session!.staffId, c, 'export');
      if (!v) throw new HttpRefusal(404, 'not_found');
      sendJson(res, 200, { exportedAt: new Date().toISOString(), transcript: v }, attachment(`transcript-${c}.json`));
    },

    'compliance.requests': async ({ res }) => {
      sendJson(res, 200, { items: await svc.requests() });
    },

    'compliance.audit': async ({ req, res }) => {
      const q = query(req);
      const from = dateParam(q, 'from');
      const to = dateParam(q, 'to');
      const r = await svc.auditRows({ ...(from ? { from } : {}), ...(to ? { to } : {}), ...(wordParam(q, 'type') ? { type: wordParam(q, 'type')! } : {}), ...(wordParam(q, 'actor') ? { actor: wordParam(q, 'actor')! } : {}), ...(wordParam(q, 'object') ? { object: wordParam(q, 'object')! } : {}) });
      sendJson(res, 200, { items: r.rows, verified: { ok: r.verified.ok, checked: r.verified.checked, ...(r.verified.problem ? { problem: r.verified.problem } : {}) } });
    },

    'compliance.audit.export': async ({ req, res, session }) => {
      const q = query(req);
      const from = dateParam(q, 'from');
      const to = dateParam(q, 'to');
      const r = await svc.auditRows({ ...(from ? { from } : {}), ...(to ? { to } : {}), limit: 10_000 });
      await svc.auditExported(session!.staffId);
      sendJson(res, 200, { exportedAt: new Date().toISOString(), verified: r.verified, entries: r.rows.reverse() }, attachment('audit.json'));
    },

    'compliance.retention': async ({ res }) => {
      sendJson(res, 200, await svc.retentionView());
    },

    'incidents.list': async ({ res }) => {
      sendJson(res, 200, { items: await svc.incidents.list() });
    },

    'incidents.create': async ({ req, res, session }) => {
      const b = await kit.jsonBody(req);
      const title = typeof b.title === 'string' ? b.title.trim() : '';
      if (title.length < 5 || title.length > 500) throw new HttpRefusal(400, 'bad_request');
      let dataClasses;
      try { dataClasses = parseClasses(b.dataClasses ?? []); } catch { throw new HttpRefusal(400, 'bad_request'); }
      const list = (v: unknown, re: RegExp) => {
        if (v === undefined) return [];
        if (!Array.isArray(v) || v.length > 1000 || v.some((x) => typeof x !== 'string' || !re.test(x))) throw new HttpRefusal(400, 'bad_request');
        return v as string[];
      };
      const inc = await svc.openIncident(session!.staffId, {
        title, detectedAt: isoField(b.detectedAt), awareAt: isoField(b.awareAt), dataClasses,
        masterVersions: list(b.masterVersions, /^v[0-9]{1,6}$/), dataKeys: list(b.dataKeys, /^[A-Za-z0-9_-]{1,80}\.[0-9]{1,6}$/),
      });
      sendJson(res, 201, inc);
    },

    'incidents.view': async ({ req, res }) => {
      const id = kit.idParam(req, isIncidentId);
      const inc = await svc.incidents.get(id);
      if (!inc) throw new HttpRefusal(404, 'not_found');
      const actions = (await Promise.all(inc.actions.map((a) => svc.incidents.action(a)))).filter(Boolean);
      const notified = await svc.incidents.notified(id);
      sendJson(res, 200, { incident: inc, actions, notices: svc.notices(inc), notified: Object.entries(notified).map(([conversation, at]) => ({ conversation, at })) });
    },

    'incidents.update': async ({ req, res, session }) => {
      const id = kit.idParam(req, isIncidentId);
      if (!(await svc.incidents.get(id))) throw new HttpRefusal(404, 'not_found');
      const b = await kit.jsonBody(req);
      const status = b.status === undefined ? undefined : (INCIDENT_STATUSES as readonly unknown[]).includes(b.status) ? (b.status as IncidentStatus) : null;
      const decision = typeof b.decision === 'string' && b.decision.trim() ? b.decision.trim() : undefined;
      if (status === null || (!status && !decision)) throw new HttpRefusal(400, 'bad_request');
      sendJson(res, 200, await svc.updateIncident(session!.staffId, id, { ...(status ? { status } : {}), ...(decision ? { decision } : {}) }));
    },

    'incidents.scope': async ({ req, res, session }) => {
      const id = kit.idParam(req, isIncidentId);
      if (!(await svc.incidents.get(id))) throw new HttpRefusal(404, 'not_found');
      let q;
      try { q = parseScopeQuery(await kit.jsonBody(req)); } catch (e) { if (e instanceof HttpRefusal) throw e; throw new HttpRefusal(400, 'bad_request'); }
      const r = await svc.scopeIncident(session!.staffId, id, q);
      sendJson(res, 200, r);
    },

    'incidents.propose': async ({ req, res, session }) => {
      const id = kit.idParam(req, isIncidentId);
      if (!(await svc.incidents.get(id))) throw new HttpRefusal(404, 'not_found');
      const b = await kit.jsonBody(req);
      if (!(ACTION_KINDS as readonly unknown[]).includes(b.kind)) throw new HttpRefusal(400, 'bad_request');
      const params: { masterVersion?: string; dataKeys?: string[] } = {};
      if (typeof b.masterVersion === 'string' && /^v[0-9]{1,6}$/.test(b.masterVersion)) params.masterVersion = b.masterVersion;
      if (Array.isArray(b.dataKeys) && b.dataKeys.every((k) => typeof k === 'string' && /^[A-Za-z0-9_-]{1,80}\.[0-9]{1,6}$/.test(k))) params.dataKeys = b.dataKeys as string[];
      let a;
      try { a = await svc.propose(session!.staffId, id, b.kind as ActionKind, params, 'console'); } catch { throw new HttpRefusal(400, 'bad_request'); }
      if (!a) throw new HttpRefusal(404, 'not_found');
      sendJson(res, 201, a);
    },

    'actions.approve': async ({ req, res, session }) => {
      const id = kit.idParam(req, isActionId);
      const r = await svc.approve(session!.staffId, id, requestIdOf(req));
      if (r.outcome === 'missing') throw new HttpRefusal(404, 'not_found');
      if (r.outcome === 'same_person') throw new HttpRefusal(409, 'second_admin_required');
      if (r.outcome === 'not_proposed') throw new HttpRefusal(409, 'not_pending');
      sendJson(res, 200, r.action);
    },
  };
}
