/**
 * The incident register (BR-2, GDPR 33(5)): every incident is kept, notified or not, with what happened (redacted
 * free text), when it was detected, when we became aware (`aware_at`), the 72-hour deadline, data classes, key ids,
 * status and the decisions taken. PII-free: titles and decisions go through the PII engine before they are stored.
 *
 * Four-eyes actions (key revocation, mass notification) are records of their own: proposed by one person (console or
 * CLI), approved in the console by a DIFFERENT logged-in admin, then executed once. The approval is a compare-and-set
 * in Lua, so two approvals racing execute nothing twice.
 *
 *   tl:inc:{id}          string  incident JSON                 tl:inc:index   zset  id by aware_at
 *   tl:inc:act:{id}      string  action JSON                   tl:inc:sent:{id} hash conversation -> notified at
 */
import { randomBytes } from 'node:crypto';
import type { RedisClientType } from 'redis';
import { storageError } from '../guards/storage/redisClient.js';
import { DATA_CLASSES, type DataClass, type ScopeQuery, type ScopeResult } from './scope.js';

export const INCIDENT_STATUSES = ['open', 'contained', 'notified', 'closed'] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];
export const DEADLINE_MS = 72 * 3600_000;

export interface Decision { at: string; actor: string; text: string }
export interface Incident {
  id: string;
  /** What happened, redacted. */
  title: string;
  detectedAt: string;
  awareAt: string;
  /** aware_at + 72 h (GDPR 33(1)). */
  due: string;
  dataClasses: DataClass[];
  masterVersions: string[];
  dataKeys: string[];
  status: IncidentStatus;
  decisions: Decision[];
  createdBy: string;
  createdAt: string;
  /** The last scoping run: query and totals (the per-subject list is recomputed on demand, never stored). */
  scope?: { at: string; query: ScopeQuery; subjects: number; records: number; byClass: ScopeResult['byClass'] };
  notified?: { at: string; conversations: number; failed: number };
  actions: string[];
}

export type ActionKind = 'revoke_master' | 'replace_keys' | 'notify';
export const ACTION_KINDS: readonly ActionKind[] = ['revoke_master', 'replace_keys', 'notify'];
export type ActionStatus = 'proposed' | 'approved' | 'executed' | 'failed';
export interface IncidentAction {
  id: string;
  incident: string;
  kind: ActionKind;
  params: { masterVersion?: string; dataKeys?: string[] };
  proposedBy: string;
  via: 'console' | 'cli';
  proposedAt: string;
  status: ActionStatus;
  approvedBy?: string;
  approvedAt?: string;
  executedAt?: string;
  result?: Record<string, number | string>;
}

export const isIncidentId = (v: unknown): v is string => typeof v === 'string' && /^inc_[A-Za-z0-9_-]{16}$/.test(v);
export const isActionId = (v: unknown): v is string => typeof v === 'string' && /^act_[A-Za-z0-9_-]{16}$/.test(v);
const newId = (p: string) => `${p}_${randomBytes(12).toString('base64url')}`;

// KEYS[1] action. ARGV: approver, time. Approves only a proposed action, and only by someone else than the proposer.
const APPROVE = `
local v = redis.call('GET', KEYS[1])
if not v then return 'missing' end
local a = cjson.decode(v)
if a.status ~= 'proposed' then return 'not_proposed' end
if a.proposedBy == ARGV[1] then return 'same_person' end
a.status = 'approved'
a.approvedBy = ARGV[1]
a.approvedAt = ARGV[2]
redis.call('SET', KEYS[1], cjson.encode(a), 'KEEPTTL')
return 'ok'`;

export class IncidentStore {
  constructor(private readonly r: RedisClientType, private readonly ttlSeconds: number) {}

  async #get<T>(key: string): Promise<T | undefined> {
    try {
      const v = await this.r.get(key);
      return v ? (JSON.parse(v) as T) : undefined;
    } catch (e) { throw storageError(e); }
  }
  async #put(key: string, v: unknown): Promise<void> {
    try { await this.r.set(key, JSON.stringify(v), { expiration: { type: 'EX', value: this.ttlSeconds } }); } catch (e) { throw storageError(e); }
  }

  async create(i: Omit<Incident, 'id' | 'due' | 'status' | 'decisions' | 'actions'>): Promise<Incident> {
    const inc: Incident = { ...i, id: newId('inc'), due: new Date(Date.parse(i.awareAt) + DEADLINE_MS).toISOString(), status: 'open', decisions: [], actions: [] };
    await this.#put(`tl:inc:{${inc.id}}`, inc);
    try {
      await this.r.zAdd('tl:inc:index', { score: Date.parse(inc.awareAt), value: inc.id });
      await this.r.expire('tl:inc:index', this.ttlSeconds);
    } catch (e) { throw storageError(e); }
    return inc;
  }

  get(id: string): Promise<Incident | undefined> { return isIncidentId(id) ? this.#get<Incident>(`tl:inc:{${id}}`) : Promise.resolve(undefined); }

  /** Read-modify-write of one incident (incidents are edited by a handful of people; last writer wins per field). */
  async update(id: string, fn: (i: Incident) => Incident): Promise<Incident | undefined> {
    const cur = await this.get(id);
    if (!cur) return undefined;
    const next = fn(structuredClone(cur));
    await this.#put(`tl:inc:{${id}}`, next);
    return next;
  }

  async list(limit = 200): Promise<Incident[]> {
    let ids: string[];
    try { ids = await this.r.zRange('tl:inc:index', 0, limit - 1, { REV: true }); } catch (e) { throw storageError(e); }
    return (await Promise.all(ids.map((id) => this.get(id)))).filter((x): x is Incident => Boolean(x));
  }

  async propose(a: Omit<IncidentAction, 'id' | 'status'>): Promise<IncidentAction> {
    const action: IncidentAction = { ...a, id: newId('act'), status: 'proposed' };
    await this.#put(`tl:inc:act:{${action.id}}`, action);
    await this.update(a.incident, (i) => ({ ...i, actions: [...i.actions, action.id] }));
    return action;
  }

  action(id: string): Promise<IncidentAction | undefined> { return isActionId(id) ? this.#get<IncidentAction>(`tl:inc:act:{${id}}`) : Promise.resolve(undefined); }

  async approve(id: string, approver: string, at: string): Promise<'ok' | 'missing' | 'not_proposed' | 'same_person'> {
    if (!isActionId(id)) return 'missing';
    try { return (await this.r.eval(APPROVE, { keys: [`tl:inc:act:{${id}}`], arguments: [approver, at] })) as 'ok'; } catch (e) { throw storageError(e); }
  }

  async finish(id: string, status: 'executed' | 'failed', at: string, result: Record<string, number | string>): Promise<void> {
    const a = await this.action(id);
    if (a) await this.#put(`tl:inc:act:{${id}}`, { ...a, status, executedAt: at, result });
  }

  /** Notification log: true when this conversation had not been notified for this incident (first time wins). */
  async markNotified(incident: string, c: string, at: string): Promise<boolean> {
    try {
      const k = `tl:inc:sent:{${incident}}`;
      const r = await this.r.hSetNX(k, c, at);
      await this.r.expire(k, this.ttlSeconds);
      return Boolean(r);
    } catch (e) { throw storageError(e); }
  }
  async unmarkNotified(incident: string, c: string): Promise<void> {
    try { await this.r.hDel(`tl:inc:sent:{${incident}}`, c); } catch (e) { throw storageError(e); }
  }
  async notified(incident: string): Promise<Record<string, string>> {
    try { return await this.r.hGetAll(`tl:inc:sent:{${incident}}`); } catch (e) { throw storageError(e); }
  }
}

export function parseClasses(v: unknown): DataClass[] {
  if (!Array.isArray(v) || v.some((c) => !(DATA_CLASSES as readonly unknown[]).includes(c))) throw new Error('dataClasses');
  return [...new Set(v as DataClass[])];
}
