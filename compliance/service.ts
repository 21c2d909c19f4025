/**
 * The compliance side of Trustline (issue 7): the console's queries, the audited transcript view, the incident
 * register with scoping, notification and four-eyes key actions, and the retention sweep. Everything it returns is
 * redacted or pseudonymous: transcripts are stored redacted (no route here can return unredacted text; the only
 * reveal is the agent's audited one), findings carry type/offsets/recognizer/operator and never a value.
 */
import { ActivityTypes, type ConversationReference } from 'botbuilder';
import type { TrustlineAdapter } from '../bots/adapter.js';
import { AuditEvents, eventOf, type AuditEvent, type ChainedAuditLog } from '../guards/audit/auditLog.js';
import { verifyChain, type VerifyResult } from '../guards/audit/verify.js';
import { ownerOfKid, type DataKeyService } from '../guards/crypto/dataKeys.js';
import { openEnvelope, readEnvelopeHeader, sealEnvelope } from '../guards/crypto/envelope.js';
import type { DsrLedger } from '../guards/dsr/ledger.js';
import { flagFor } from '../guards/dsr/deadlines.js';
import type { Logger } from '../guards/log/logger.js';
import { errorFields } from '../guards/log/logger.js';
import type { Redactor } from '../guards/pii/index.js';
import type { EncryptedTranscriptStore } from '../guards/transcripts/transcriptStore.js';
import type { SubjectIndex } from '../guards/identity/subjectIndex.js';
import type { HandoffStore } from '../handoff/store.js';
import { t, type MessageId } from '../dialogs/messages.js';
import { langFromLocale, type Lang } from '../dialogs/language.js';
import type { RedisClientType } from 'redis';
import { storageError } from '../guards/storage/redisClient.js';
import type { ContactRefStore } from './contacts.js';
import { BreachScope, type DataClass, type ScopeQuery, type ScopeResult } from './scope.js';
import { redactStaffText } from '../guards/pii/staffText.js';
import { IncidentStore, type ActionKind, type Incident, type IncidentAction } from './incidents.js';
import { RetentionSweep, type PurgeReport, type RetentionPolicyView } from './retention.js';
import { ridField } from '../guards/log/correlation.js';

export const COMPLIANCE_EVENTS = {
  notifyFailed: 'compliance.notify_failed',
  actionFailed: 'compliance.action_failed',
  sweepFailed: 'compliance.sweep_failed',
} as const;

export interface ComplianceDeps {
  redis: RedisClientType;
  audit: ChainedAuditLog;
  auditKey: Uint8Array;
  transcripts: EncryptedTranscriptStore;
  handoffStore?: HandoffStore;
  ledger: DsrLedger;
  keys: DataKeyService;
  scope: BreachScope;
  incidents: IncidentStore;
  contacts: ContactRefStore;
  index: SubjectIndex & { subjectOwnerOf(c: string): Promise<string | undefined> };
  redactor: Redactor;
  adapter: TrustlineAdapter;
  botAppId: string;
  retention: RetentionSweep;
  maxEnvelopeBytes: number;
  log: Logger;
  now: () => number;
}

export interface ConversationRow { id: string; channel: string; first: string; last: string; entries: number; escalated: boolean }
export interface AuditRow { id: string; seq: number; event: AuditEvent; inst: string }

const BREACH_CLASS_TEXT: Record<DataClass, MessageId> = { transcripts: 'breachClassTranscripts', handoff: 'breachClassHandoff', state: 'breachClassState' };
const LANGS: Lang[] = ['en', 'de', 'fr', 'es'];

export class ComplianceService {
  constructor(private readonly d: ComplianceDeps) {}

  get incidents(): IncidentStore { return this.d.incidents; }
  get retention(): RetentionSweep { return this.d.retention; }
  #at() { return new Date(this.d.now()).toISOString(); }
  async #audit(e: Omit<AuditEvent, 'at'>) { await this.d.audit.append({ ...e, at: this.#at() }); }

  // --- conversations and transcripts -------------------------------------------------------------------------

  async searchConversations(q: { from: Date; to: Date; channel?: string; escalated?: boolean; request?: string; limit?: number }): Promise<ConversationRow[]> {
    let only: Set<string> | undefined;
    if (q.request) {
      // A request's conversations are named by its audit entries (dsr.* with the receipt as object).
      only = new Set((await this.d.audit.entries()).map((e) => e.fields).filter((f) => f.object === q.request && f.conversation).map((f) => f.conversation!));
      if (!only.size) return [];
    }
    const rows: ConversationRow[] = [];
    for (const s of await this.d.transcripts.listConversations(q.from, q.to, Math.min(q.limit ?? 200, 1000))) {
      if (only && !only.has(s.conversation)) continue;
      if (q.channel && s.channelId !== q.channel) continue;
      const escalated = this.d.handoffStore ? Boolean(await this.d.handoffStore.meta(s.conversation)) : false;
      if (q.escalated !== undefined && escalated !== q.escalated) continue;
      rows.push({ id: s.conversation, channel: s.channelId, first: s.first, last: s.last, entries: s.entries, escalated });
    }
    return rows.reverse();
  }

  /** The redacted transcript with its findings; audited before anything is returned (fail closed). */
  async viewTranscript(staffId: string, c: string, why: 'review' | 'export' = 'review'): Promise<unknown | undefined> {
    const summary = await this.d.transcripts.summary(c);
    if (!summary) return undefined;
    await this.#audit({ type: why === 'export' ? AuditEvents.complianceExported : AuditEvents.complianceTranscriptViewed, actor: staffId, object: c, conversation: c, reason: why, method: 'transcript' });
    const { entries, unreadable } = await this.d.transcripts.list(c);
    return {
      id: c, channel: summary.channelId, first: summary.first, last: summary.last,
      escalated: this.d.handoffStore ? Boolean(await this.d.handoffStore.meta(c)) : false,
      unreadable,
      entries: entries.map((e) => ({
        id: e.id, role: e.role, type: e.type, at: e.timestamp, ...(e.text !== undefined ? { text: e.text } : {}), ...(e.edited ? { edited: true } : {}),
        findings: e.findings.map((f) => ({ field: f.field, type: f.type, start: f.start, end: f.end, recognizer: f.recognizer, operator: f.operator })),
      })),
    };
  }

  // --- requests ------------------------------------------------------------------------------------------------

  async requests(): Promise<unknown[]> {
    const now = new Date(this.d.now());
    const open = new Set(['received', 'verifying', 'in_progress']);
    return (await this.d.ledger.list({ limit: 5000 })).map((r) => ({
      id: r.id, type: r.type, subject: r.subject, regime: r.regime, received: r.received, acknowledged: r.acknowledged ?? null, due: r.due,
      extendedDue: r.extendedDue, status: r.status, outcome: r.outcome ?? null, flag: open.has(r.status) ? flagFor(new Date(r.due), now) : 'done',
    }));
  }

  // --- audit ---------------------------------------------------------------------------------------------------

  async verifyAudit(): Promise<VerifyResult> {
    const [entries, head] = await Promise.all([this.d.audit.entries(), this.d.audit.head()]);
    return verifyChain(entries, this.d.auditKey, head ? { head } : {});
  }

  async auditRows(f: { from?: Date; to?: Date; type?: string; actor?: string; object?: string; limit?: number }): Promise<{ rows: AuditRow[]; verified: VerifyResult }> {
    const entries = await this.d.audit.entries();
    const head = await this.d.audit.head();
    const verified = verifyChain(entries, this.d.auditKey, head ? { head } : {});
    const rows: AuditRow[] = [];
    for (const e of entries) {
      const ev = eventOf(e.fields);
      const at = Date.parse(ev.at);
      if (f.from && !(at >= f.from.getTime())) continue;
      if (f.to && !(at <= f.to.getTime())) continue;
      if (f.type && ev.type !== f.type && !ev.type.startsWith(`${f.type}.`)) continue;
      if (f.actor && ev.actor !== f.actor) continue;
      if (f.object && ev.object !== f.object && ev.conversation !== f.object) continue;
      rows.push({ id: e.id, seq: Number(e.fields.seq ?? -1), event: ev, inst: e.fields.inst ?? '' });
    }
    return { rows: rows.slice(-Math.min(f.limit ?? 500, 10_000)).reverse(), verified };
  }

  async auditExported(staffId: string): Promise<void> {
    await this.#audit({ type: AuditEvents.complianceExported, actor: staffId, method: 'audit', reason: 'export' });
  }

  // --- incidents -----------------------------------------------------------------------------------------------

  async openIncident(staffId: string, i: { title: string; detectedAt: string; awareAt: string; dataClasses: DataClass[]; masterVersions: string[]; dataKeys: string[] }): Promise<Incident> {
    const inc = await this.d.incidents.create({ ...i, title: redactStaffText(this.d.redactor, i.title.slice(0, 500)), createdBy: staffId, createdAt: this.#at() });
    await this.#audit({ type: AuditEvents.incidentOpened, actor: staffId, object: inc.id });
    return inc;
  }

  async updateIncident(staffId: string, id: string, patch: { status?: Incident['status']; decision?: string }): Promise<Incident | undefined> {
    const inc = await this.d.incidents.update(id, (i) => ({
      ...i, ...(patch.status ? { status: patch.status } : {}),
      decisions: patch.decision ? [...i.decisions, { at: this.#at(), actor: staffId, text: redactStaffText(this.d.redactor, patch.decision.slice(0, 2000)) }] : i.decisions,
    }));
    if (inc) await this.#audit({ type: AuditEvents.incidentUpdated, actor: staffId, object: id, ...(patch.status ? { outcome: patch.status } : {}), ...(patch.decision ? { reason: 'decision' } : {}) });
    return inc;
  }

  async scopeIncident(staffId: string, id: string, q: ScopeQuery): Promise<ScopeResult | undefined> {
    if (!(await this.d.incidents.get(id))) return undefined;
    const r = await this.d.scope.run(q);
    await this.d.incidents.update(id, (i) => ({ ...i, scope: { at: this.#at(), query: q, subjects: r.subjects.length, records: r.records, byClass: r.byClass } }));
    await this.#audit({ type: AuditEvents.incidentScoped, actor: staffId, object: id, count: String(r.subjects.length) });
    return r;
  }

  /** Plain-language drafts in every language, filled from the incident's facts (never free text). */
  notices(inc: Incident): Record<Lang, string> {
    const out = {} as Record<Lang, string>;
    for (const lang of LANGS) {
      const classes = (inc.dataClasses.length ? inc.dataClasses : (['transcripts'] as DataClass[])).map((c) => t(BREACH_CLASS_TEXT[c], lang));
      out[lang] = t('breachNotice', lang, { date: inc.awareAt.slice(0, 10), classes: classes.join(', '), ref: inc.id });
    }
    return out;
  }

  async propose(staffId: string | 'cli', incident: string, kind: ActionKind, params: IncidentAction['params'], via: 'console' | 'cli'): Promise<IncidentAction | undefined> {
    const inc = await this.d.incidents.get(incident);
    if (!inc) return undefined;
    if (kind === 'revoke_master' && !params.masterVersion) throw new Error('masterVersion');
    if (kind === 'replace_keys' && !params.dataKeys?.length) throw new Error('dataKeys');
    if (kind === 'notify' && !inc.scope) throw new Error('scope_first');
    const a = await this.d.incidents.propose({ incident, kind, params, proposedBy: staffId, via, proposedAt: this.#at() });
    await this.#audit({ type: AuditEvents.incidentActionProposed, actor: staffId, object: a.id, purpose: kind, method: via });
    return a;
  }

  /**
   * The second pair of eyes: a different logged-in admin approves, then the action runs once. Returns the refusal
   * reason when there is nothing to do (the same person, already approved, missing).
   */
  async approve(staffId: string, actionId: string, rid?: string): Promise<{ outcome: 'executed' | 'failed' | 'missing' | 'not_proposed' | 'same_person'; action?: IncidentAction }> {
    const r = await this.d.incidents.approve(actionId, staffId, this.#at());
    if (r !== 'ok') {
      if (r !== 'missing') await this.#audit({ type: AuditEvents.incidentActionRefused, actor: staffId, object: actionId, outcome: r });
      return { outcome: r };
    }
    const a = (await this.d.incidents.action(actionId))!;
    await this.#audit({ type: AuditEvents.incidentActionApproved, actor: staffId, object: actionId, purpose: a.kind });
    let result: Record<string, number | string>;
    let status: 'executed' | 'failed' = 'executed';
    try {
      result = await this.#execute(a);
    } catch (err) {
      this.d.log.error({ ...ridField(rid), err: errorFields(err), kind: a.kind }, COMPLIANCE_EVENTS.actionFailed);
      result = { error: 'failed' };
      status = 'failed';
    }
    await this.d.incidents.finish(actionId, status, this.#at(), result);
    await this.#audit({ type: AuditEvents.incidentActionExecuted, actor: staffId, object: actionId, purpose: a.kind, outcome: status });
    return { outcome: status, action: await this.d.incidents.action(actionId) };
  }

  async #execute(a: IncidentAction): Promise<Record<string, number | string>> {
    if (a.kind === 'revoke_master') return this.#revokeMaster(a);
    if (a.kind === 'replace_keys') return this.#replaceKeys(a);
    return this.#notify(a);
  }

  /** Every data key wrapped by the compromised version is re-wrapped under the active one; refused if it is active. */
  async #revokeMaster(a: IncidentAction): Promise<Record<string, number | string>> {
    const mv = a.params.masterVersion!;
    if (mv === this.d.keys.activeVersion) return { refused: 'active_version' };
    const r = await this.d.keys.rotate();
    const left = (await this.d.keys.status()).byMasterVersion[mv] ?? 0;
    try { await this.d.redis.sAdd('tl:keys:revoked', mv); } catch (e) { throw storageError(e); }
    await this.#audit({ type: AuditEvents.keysMasterRevoked, actor: a.approvedBy!, object: a.id, purpose: mv, count: String(r.rewrapped), outcome: left === 0 ? 'complete' : 'incomplete' });
    if (left !== 0) throw new Error('keys remain under the revoked version');
    return { rewrapped: r.rewrapped, failed: r.failed, remaining: left };
  }

  /** Each compromised data key is replaced; the transcripts it sealed are re-encrypted under the new key. */
  async #replaceKeys(a: IncidentAction): Promise<Record<string, number | string>> {
    let replaced = 0; let resealed = 0;
    for (const kid of a.params.dataKeys ?? []) {
      const owner = ownerOfKid(kid);
      const pair = await this.d.keys.replaceKey(owner).catch(() => undefined);
      if (!pair || pair.old.kid !== kid) continue;
      replaced++;
      const convs = owner.startsWith('c_') ? [owner] : await this.d.transcripts.listConversations(new Date(0), new Date(8.64e15), 100_000).then((s) => s.map((x) => x.conversation));
      for (const c of convs) resealed += await this.#reseal(c, pair.old, pair.next);
      await this.#audit({ type: AuditEvents.keysDataKeyReplaced, actor: a.approvedBy!, object: a.id, count: String(resealed) });
    }
    return { replaced, resealed };
  }

  async #reseal(c: string, old: { kid: string; key: Uint8Array }, next: { kid: string; key: Uint8Array }): Promise<number> {
    let n = 0;
    for (const [key, ad] of [[`tl:tx:{${c}}`, (f: string) => `tx/${c}/${f}`], [`tl:tok:{${c}}`, (f: string) => `tok/${c}/${f}`]] as const) {
      let all: Record<string, string>;
      try { all = await this.d.redis.hGetAll(key); } catch (e) { throw storageError(e); }
      const out: Record<string, string> = {};
      for (const [field, env] of Object.entries(all)) {
        try {
          const h = readEnvelopeHeader(env, this.d.maxEnvelopeBytes);
          if (h.kid !== old.kid) continue;
          out[field] = sealEnvelope(next.key, next.kid, ad(field), openEnvelope(old.key, h, ad(field)));
        } catch { /* unreadable already: left as is */ }
      }
      if (Object.keys(out).length) {
        try { await this.d.redis.hSet(key, out); } catch (e) { throw storageError(e); }
        n += Object.keys(out).length;
      }
    }
    return n;
  }

  /** Sends the notice to every affected conversation with a stored reference, once per conversation, recorded. */
  async #notify(a: IncidentAction): Promise<Record<string, number | string>> {
    const inc = (await this.d.incidents.get(a.incident))!;
    const scope = await this.d.scope.run(inc.scope!.query);
    const affected = new Set(scope.subjects.map((s) => s.subject));
    const notices = this.notices(inc);
    let sent = 0; let failed = 0; let already = 0;
    for await (const batch of this.d.contacts.conversations()) {
      for (const c of batch) {
        const hit = affected.has(c) || (await this.d.index.subjectOwnerOf(c).then((s) => (s ? affected.has(s) : false)));
        if (!hit) continue;
        if (!(await this.d.incidents.markNotified(inc.id, c, this.#at()))) { already++; continue; }
        try {
          const ref = await this.d.contacts.reference(c);
          if (!ref?.conversation || !ref.serviceUrl) throw new Error('no reference');
          const lang = langFromLocale(ref.locale ?? '') ?? 'en';
          await this.d.adapter.continueConversationAsync(this.d.botAppId, ref as ConversationReference, async (ctx) => {
            await ctx.sendActivity({ type: ActivityTypes.Message, text: notices[lang] });
          });
          sent++;
        } catch (err) {
          failed++;
          await this.d.incidents.unmarkNotified(inc.id, c);
          this.d.log.warn({ err: errorFields(err) }, COMPLIANCE_EVENTS.notifyFailed);
        }
      }
    }
    await this.d.incidents.update(inc.id, (i) => ({ ...i, status: i.status === 'closed' ? i.status : 'notified', notified: { at: this.#at(), conversations: sent + already, failed } }));
    await this.#audit({ type: AuditEvents.incidentNotified, actor: a.approvedBy!, object: inc.id, count: String(sent), outcome: failed ? 'partial' : 'complete' });
    return { sent, failed, alreadyNotified: already };
  }

  // --- retention -----------------------------------------------------------------------------------------------

  retentionView(): Promise<{ policy: RetentionPolicyView; last: PurgeReport | undefined }> {
    return this.d.retention.view();
  }
}
