/**
 * The data-subject service (issue 5; DESIGN.md invariants 1, 3, 4, 5, 9; DSR-1..6): access summary, export, export
 * links, correction, opt-out and the erasure job. Every store that keeps something about a customer is a
 * `SubjectDataSource` in the registry, so export and erasure cover the same list. Every request is a record in the
 * PII-free ledger (receipt number = its id); every step is an audit event without personal values.
 *
 * Erasure is a job whose plan (which keys, owners and conversations belong to the subject) is captured once, at
 * confirmation, sealed under a key of its own, and whose finished steps are recorded in the ledger. Every step is
 * idempotent; a crash resumes at start-up with the first unfinished step; a lock keeps two instances from running
 * one job at once, and the completion (ledger status, audit event) is written once.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from '../log/logger.js';
import { errorFields } from '../log/logger.js';
import type { Pseudonymizer } from '../crypto/pseudonym.js';
import type { DataKeyService } from '../crypto/dataKeys.js';
import type { SubjectIndex, SubjectLink } from '../identity/subjectIndex.js';
import { AuditEvents, type AuditEvent, type AuditLog } from '../audit/auditLog.js';
import type { Customer, CustomerDirectory, ContactChange } from '../../directory/customerDirectory.js';
import type { DsrLedger, DsrRecord, DsrType } from './ledger.js';
import type { SubjectDataRegistry, SubjectRef, SubjectScope } from './sources.js';
import type { Article15Facts } from './facts.js';
import { CHANNEL_COPIES } from './facts.js';
import { jobAd, linkHash, newLinkToken, LINK_TOKEN, type ErasureJobStore, type ExportLinkStore, type OptOutStore } from './stores.js';
import { openJson, sealJson } from './sealed.js';
import { GuardError } from '../errors.js';

export const EXPORT_FORMAT = 'trustline.subject-export';
export const EXPORT_VERSION = 1;

export interface DsrServiceOptions {
  ledger: DsrLedger;
  registry: SubjectDataRegistry;
  index: SubjectIndex;
  keys: DataKeyService;
  pseudonyms: Pseudonymizer;
  directory: CustomerDirectory;
  audit: AuditLog;
  optOuts: OptOutStore;
  links: ExportLinkStore;
  jobs: ErasureJobStore;
  facts: Article15Facts;
  log: Logger;
  now: () => number;
  /** Lifetime of an export link. */
  linkTtlMs: number;
  /** Base URL the export links point at (PUBLIC_BASE_URL, or the server's own address). */
  baseUrl: () => string;
  /** Retention of the job plan (it is deleted when the job completes). */
  jobTtlSeconds: number;
  /** Asks the key store for an AOF rewrite after keys were destroyed (DSR_KEYSTORE_AOF_REWRITE). */
  keystoreAofRewrite?: () => Promise<void>;
  /** Pause between erasure steps (DSR_ERASE_STEP_PAUSE_MS): spreads the load; tests use it to kill a job mid-way. */
  stepPauseMs?: number;
  /** Forget in-process links of erased conversations (SubjectOwnerResolver). */
  forgetConversation?: (conversationOwner: string) => void;
}

/** What the erasure job needs after a crash; sealed at rest under the job's own key. */
interface ErasurePlan {
  receipt: string;
  customerNumber: string;
  pseudonym: string;
  owner: string;
  conversations: string[];
  refs: SubjectRef[];
  channel: string;
}

export interface AccessSummary {
  profileFields: string[];
  orders: number;
  consentRecords: number;
  conversations: number;
  transcriptEntries: number;
  handoffs: number;
  requests: number;
  optedOut: boolean;
  staffAccess: { actor: string; action: string; at: string }[];
  recipientsWeCannotErase: string[];
}

export interface ErasureOutcome { receipt: string; status: 'completed' | 'in_progress'; retained: string[] }

const STAFF_ACCESS_EVENTS: ReadonlySet<string> = new Set([AuditEvents.handoffClaimed, AuditEvents.handoffViewed, AuditEvents.handoffRevealed]);
const STAFF_ACTION: Record<string, string> = { [AuditEvents.handoffClaimed]: 'took_over_conversation', [AuditEvents.handoffViewed]: 'viewed_conversation', [AuditEvents.handoffRevealed]: 'revealed_masked_value' };

export const ERASURE_FINAL_STEPS = ['requests', 'directory', 'index', 'keys', 'aof'] as const;

const refField = (p: Pseudonymizer, r: SubjectRef) => p.hash('dsr-ref', `${r.kind}\u0000${r.key}`);

export class DsrService {
  readonly #o: DsrServiceOptions;
  readonly #running = new Map<string, Promise<ErasureOutcome | undefined>>();
  constructor(o: DsrServiceOptions) { this.#o = o; }

  get ledger(): DsrLedger { return this.#o.ledger; }
  get facts(): Article15Facts { return this.#o.facts; }
  get linkMinutes(): number { return Math.round(this.#o.linkTtlMs / 60_000); }

  #iso(): string { return new Date(this.#o.now()).toISOString(); }

  async #audit(e: Omit<AuditEvent, 'at'>): Promise<void> {
    await this.#o.audit.append({ ...e, at: this.#iso() });
  }

  /** Records, under the subject's key, the storage keys and owners a verified turn touched (export and erasure). */
  async remember(customerNumber: string, link: SubjectLink, refs: readonly SubjectRef[]): Promise<void> {
    for (const r of refs) {
      const field = refField(this.#o.pseudonyms, r);
      await this.#o.index.attach(customerNumber, field, await sealJson(this.#o.keys, link.owner, `dsr-ref/${field}`, r));
    }
  }

  /** The subject as the index knows it; undefined when the index has no entry (never verified, or erased). */
  async scopeOf(customerNumber: string): Promise<SubjectScope | undefined> {
    const link = await this.#o.index.lookup(customerNumber);
    if (!link) return undefined;
    const [conversations, attached] = await Promise.all([this.#o.index.conversationsOf(customerNumber), this.#o.index.attachments(customerNumber)]);
    const refs: SubjectRef[] = [];
    for (const [field, env] of Object.entries(attached)) {
      try {
        refs.push(await openJson<SubjectRef>(this.#o.keys, link.owner, `dsr-ref/${field}`, env));
      } catch (err) {
        this.#o.log.warn({ code: (err as GuardError).code ?? 'ERR_CRYPTO_DECRYPT' }, 'guards.dsr.ref_unreadable');
      }
    }
    return { customerNumber, pseudonym: link.pseudonym, owner: link.owner, conversations: [...new Set(conversations)].sort(), refs };
  }

  /** Opens (or finds the open) request of this type: "delete me" three times is one request. */
  async open(type: DsrType, subject: string, o: { region?: string; channel: string; conversation?: string }): Promise<{ record: DsrRecord; created: boolean }> {
    const r = await this.#o.ledger.open({ type, subject, channel: o.channel, now: new Date(this.#o.now()), ...(o.region ? { region: o.region } : {}) });
    if (r.created) {
      await this.#audit({ type: AuditEvents.dsrReceived, subject, purpose: type, object: r.record.id, channel: o.channel, ...(o.conversation ? { conversation: o.conversation } : {}) });
      // Acknowledged at once, in the conversation (the acknowledgement deadline is met by the reply itself).
      const acked = await this.#o.ledger.update(r.record.id, { acknowledged: this.#iso() }, new Date(this.#o.now()));
      if (acked) r.record = acked;
    }
    return r;
  }

  async complete(record: DsrRecord, outcome: string, extra: Partial<DsrRecord> = {}): Promise<void> {
    await this.#o.ledger.update(record.id, { status: 'completed', outcome, ...extra }, new Date(this.#o.now()));
  }

  /** Cancel before confirmation: the record says so and nothing else was done. */
  async cancel(id: string, conversation?: string): Promise<void> {
    const r = await this.#o.ledger.get(id);
    if (!r || !['received', 'verifying'].includes(r.status)) return;
    await this.#o.ledger.update(id, { status: 'cancelled', outcome: 'cancelled_by_customer' }, new Date(this.#o.now()));
    await this.#audit({ type: AuditEvents.dsrCancelled, subject: r.subject, purpose: r.type, object: id, ...(conversation ? { conversation } : {}) });
  }

  // ---- opt-out (DSR-1: no verification, at once) ----

  async optOut(owners: readonly string[], subject: string, o: { channel: string; conversation: string; region?: string }): Promise<DsrRecord> {
    const { record } = await this.open('opt_out', subject, o);
    for (const owner of owners) await this.#o.optOuts.set(owner, { at: this.#iso(), channel: o.channel, receipt: record.id });
    await this.complete(record, 'opted_out');
    await this.#audit({ type: AuditEvents.dsrOptedOut, subject, purpose: 'opt_out', object: record.id, conversation: o.conversation, channel: o.channel, outcome: 'applied' });
    return record;
  }

  /** For anything that would sell or share data: has this channel user or subject opted out? */
  async isOptedOut(owner: string): Promise<boolean> {
    return (await this.#o.optOuts.get(owner)) !== undefined;
  }

  // ---- access ----

  async #staffAccess(scope: SubjectScope): Promise<AccessSummary['staffAccess']> {
    const events = (await this.#o.audit.read?.()) ?? [];
    const convs = new Set(scope.conversations);
    return events.filter((e) => STAFF_ACCESS_EVENTS.has(e.type) && ((e.conversation && convs.has(e.conversation)) || e.subject === scope.pseudonym))
      .map((e) => ({ actor: e.actor ?? 'unknown', action: STAFF_ACTION[e.type] ?? e.type, at: e.at }));
  }

  async #requestsOf(pseudonym: string): Promise<DsrRecord[]> {
    return (await this.#o.ledger.list({ limit: 100_000 })).filter((r) => r.subject === pseudonym);
  }

  /** Categories and counts, never values (issue 5 item 3). */
  async accessSummary(customer: Customer): Promise<AccessSummary> {
    const scope = await this.scopeOf(customer.customerNumber);
    const records = scope ? await this.#collect(scope) : {};
    const tx = (records.transcripts as { entries: unknown[] }[] | undefined) ?? [];
    const consent = (records.consent as { records?: unknown[] } | undefined)?.records ?? [];
    const handoff = (records.handoff as { meta?: unknown }[] | undefined) ?? [];
    const profileFields = (['name', 'email', 'phone', 'address', 'birthDate', 'locale', 'region', 'teams'] as const).filter((k) => customer[k] !== undefined);
    return {
      profileFields,
      orders: customer.orders.length,
      consentRecords: consent.length,
      conversations: scope?.conversations.length ?? 0,
      transcriptEntries: tx.reduce((n, c) => n + c.entries.length, 0),
      handoffs: handoff.filter((h) => h.meta).length,
      requests: scope ? (await this.#requestsOf(scope.pseudonym)).length : 0,
      optedOut: scope ? await this.isOptedOut(scope.owner) : false,
      staffAccess: scope ? await this.#staffAccess(scope) : [],
      recipientsWeCannotErase: CHANNEL_COPIES.map((c) => c.id),
    };
  }

  async #collect(scope: SubjectScope): Promise<Record<string, unknown>> {
    const out: Record<string, unknown> = {};
    for (const s of this.#o.registry.list()) {
      const v = await s.exportFor(scope);
      if (v !== undefined) out[s.name] = v;
    }
    return out;
  }

  // ---- export ----

  /** The export document (schemas/export-v1.schema.json), built on demand: it is never stored. */
  async buildExport(customerNumber: string, receipt: string): Promise<Record<string, unknown> | undefined> {
    const [customer, scope] = await Promise.all([this.#o.directory.findByCustomerNumber(customerNumber), this.scopeOf(customerNumber)]);
    if (!customer || !scope) return undefined;
    const { orders, ...profile } = customer;
    return {
      format: EXPORT_FORMAT,
      version: EXPORT_VERSION,
      generatedAt: this.#iso(),
      receipt,
      subject: { pseudonym: scope.pseudonym },
      profile,
      orders,
      records: await this.#collect(scope),
      requests: (await this.#requestsOf(scope.pseudonym)).map((r) => ({ ...r })),
      staffAccess: await this.#staffAccess(scope),
      article15: this.#o.facts,
    };
  }

  /** A single-use link, bound to this conversation and subject, expiring after `linkTtlMs`. */
  async issueExportLink(customerNumber: string, link: SubjectLink, conversation: string, receipt: string): Promise<string> {
    const token = newLinkToken();
    const hash = linkHash(token);
    const expires = this.#o.now() + this.#o.linkTtlMs;
    const sealedCustomer = await sealJson(this.#o.keys, link.owner, `dsr-x/${hash}`, { customerNumber });
    await this.#o.links.put(hash, { conversation, subjectOwner: link.owner, pseudonym: link.pseudonym, receipt, expires, sealedCustomer }, this.#o.linkTtlMs);
    await this.remember(customerNumber, link, [{ kind: 'exportLink', key: hash }]);
    await this.#o.ledger.update(receipt, { status: 'in_progress', outcome: 'link_issued' }, new Date(this.#o.now()));
    await this.#audit({ type: AuditEvents.dsrExportLinkIssued, subject: link.pseudonym, purpose: 'export', object: receipt, conversation });
    return `${this.#o.baseUrl().replace(/\/+$/, '')}/dsr/export/${token}`;
  }

  /**
   * Redeems a link: taken (deleted) first, so it works once whatever happens next; then it must not have expired,
   * its conversation must still be linked to its subject (not erased, not relinked), and the subject's key must
   * still open the sealed customer number. Any failure is `undefined` (the route answers a plain 404).
   */
  async redeemExportLink(token: string): Promise<{ document: Record<string, unknown>; receipt: string } | undefined> {
    if (!LINK_TOKEN.test(token)) return undefined;
    const hash = linkHash(token);
    const rec = await this.#o.links.take(hash);
    if (!rec || rec.expires < this.#o.now()) return undefined;
    if ((await this.#o.index.subjectOwnerOf(rec.conversation)) !== rec.subjectOwner) return undefined;
    let customerNumber: string;
    try {
      customerNumber = (await openJson<{ customerNumber: string }>(this.#o.keys, rec.subjectOwner, `dsr-x/${hash}`, rec.sealedCustomer)).customerNumber;
    } catch {
      return undefined;
    }
    const document = await this.buildExport(customerNumber, rec.receipt);
    if (!document) return undefined;
    await this.#o.ledger.update(rec.receipt, { status: 'completed', outcome: 'delivered' }, new Date(this.#o.now()));
    await this.#audit({ type: AuditEvents.dsrExportDownloaded, subject: rec.pseudonym, purpose: 'export', object: rec.receipt, conversation: rec.conversation, outcome: 'delivered' });
    return { document, receipt: rec.receipt };
  }

  // ---- correction ----

  async correct(record: DsrRecord, customerNumber: string, field: 'email' | 'phone' | 'address', change: ContactChange, conversation: string): Promise<string[]> {
    const r = await this.#o.directory.update(customerNumber, change);
    await this.complete(record, `corrected_${field}`, { recipients: r.recipients });
    await this.#audit({ type: AuditEvents.dsrCorrected, subject: record.subject, purpose: 'rectify', object: record.id, conversation, method: field, outcome: 'applied' });
    return r.recipients;
  }

  // ---- erasure ----

  /**
   * The customer confirmed: capture the plan once (sealed under a fresh job key), mark the request in progress,
   * then run the job. A second confirmation of the same request finds the plan and only runs (or waits for) the job.
   */
  async confirmErasure(record: DsrRecord, customerNumber: string, o: { channel: string; conversation: string }): Promise<ErasureOutcome | undefined> {
    const cur = await this.#o.ledger.get(record.id);
    if (!cur || cur.status === 'completed') return cur ? { receipt: cur.id, status: 'completed', retained: cur.retained ?? [] } : undefined;
    if (cur.status !== 'in_progress') {
      const scope = await this.scopeOf(customerNumber);
      if (!scope) throw new GuardError('ERR_DSR_NOT_FOUND');
      const plan: ErasurePlan = { receipt: record.id, customerNumber, pseudonym: scope.pseudonym, owner: scope.owner, conversations: [...scope.conversations], refs: [...scope.refs], channel: o.channel };
      const jobOwner = `j_${randomBytes(16).toString('base64url')}`;
      await this.#o.jobs.put(record.id, { owner: jobOwner, env: await sealJson(this.#o.keys, jobOwner, jobAd(record.id), plan) }, this.#o.jobTtlSeconds);
      await this.#o.ledger.update(record.id, { status: 'in_progress', steps: ['plan'] }, new Date(this.#o.now()));
      await this.#audit({ type: AuditEvents.dsrEraseConfirmed, subject: scope.pseudonym, purpose: 'erase', object: record.id, conversation: o.conversation, channel: o.channel });
    }
    return this.runJob(record.id);
  }

  /** Runs (or resumes) one erasure job; concurrent calls in this process share the run. */
  runJob(id: string): Promise<ErasureOutcome | undefined> {
    const running = this.#running.get(id);
    if (running) return running;
    const p = this.#run(id).finally(() => this.#running.delete(id));
    this.#running.set(id, p);
    return p;
  }

  async #run(id: string): Promise<ErasureOutcome | undefined> {
    const o = this.#o;
    const holder = randomBytes(9).toString('base64url');
    const lockMs = 15_000 + (o.stepPauseMs ?? 0) * 4;
    if (!(await o.jobs.lock(id, holder, lockMs))) return { receipt: id, status: 'in_progress', retained: [] };
    try {
      let rec = await o.ledger.get(id);
      if (!rec || rec.type !== 'erase') return undefined;
      if (rec.status === 'completed') return { receipt: id, status: 'completed', retained: rec.retained ?? [] };
      if (rec.status !== 'in_progress') return undefined;
      const job = await o.jobs.get(id);
      if (!job) throw new GuardError('ERR_DSR_JOB_FAILED');
      const plan = await openJson<ErasurePlan>(o.keys, job.owner, jobAd(id), job.env);
      const scope: SubjectScope = { customerNumber: plan.customerNumber, pseudonym: plan.pseudonym, owner: plan.owner, conversations: plan.conversations, refs: plan.refs };
      const steps: [string, () => Promise<Partial<DsrRecord> | void>][] = [
        ...o.registry.list().map((s): [string, () => Promise<void>] => [`erase:${s.name}`, () => s.eraseFor(scope)]),
        ['requests', async () => {
          // Other open requests of this subject end with it (their open-index entries name the pseudonym).
          for (const r of await this.#requestsOf(plan.pseudonym)) {
            if (r.id !== id && ['received', 'verifying', 'in_progress'].includes(r.status)) await o.ledger.update(r.id, { status: 'completed', outcome: 'subject_erased' }, new Date(o.now()));
          }
        }],
        ['directory', async () => {
          const d = await o.directory.erase(plan.customerNumber, id);
          return { retained: d.retained, recipients: [...new Set([...d.recipients, ...CHANNEL_COPIES.map((c) => c.id)])] };
        }],
        ['index', async () => {
          await o.index.erase(plan.customerNumber, plan.conversations);
          for (const c of plan.conversations) o.forgetConversation?.(c);
        }],
        ['keys', async () => {
          const owners = [plan.owner, ...plan.conversations, ...plan.refs.filter((r) => r.kind === 'userOwner').map((r) => r.key)];
          for (const owner of new Set(owners)) await o.keys.destroy(owner);
        }],
        ['aof', async () => {
          if (!o.keystoreAofRewrite) return { outcome: 'aof_rewrite_not_configured' };
          try {
            await o.keystoreAofRewrite();
          } catch (err) {
            // Crypto-shredding already made the keys unusable; the rewrite only shortens how long the key store's
            // own AOF still holds them. Logged, recorded, not retried forever.
            o.log.warn({ err: errorFields(err) }, 'guards.dsr.aof_rewrite_failed');
            return { outcome: 'aof_rewrite_failed' };
          }
          return { outcome: 'aof_rewrite_requested' };
        }],
      ];
      let done = new Set(rec.steps ?? []);
      for (const [name, fn] of steps) {
        if (done.has(name)) continue;
        const patch = (await fn()) ?? {};
        rec = (await o.ledger.update(id, { ...patch, steps: [...done, name] }, new Date(o.now()))) ?? rec;
        done = new Set(rec.steps ?? []);
        await this.#audit({ type: AuditEvents.dsrEraseStep, subject: plan.pseudonym, purpose: 'erase', object: id, method: name.replace(':', '_'), outcome: 'done' });
        if (o.stepPauseMs) await new Promise((r) => setTimeout(r, o.stepPauseMs));
      }
      const outcome = rec.outcome === 'aof_rewrite_failed' ? 'erased_aof_rewrite_failed' : 'erased';
      await o.ledger.update(id, { status: 'completed', outcome }, new Date(o.now()));
      await this.#audit({ type: AuditEvents.dsrEraseCompleted, subject: plan.pseudonym, purpose: 'erase', object: id, outcome });
      await o.jobs.delete(id);
      await o.keys.destroy(job.owner);
      o.log.info({ steps: done.size }, 'guards.dsr.erasure_completed');
      return { receipt: id, status: 'completed', retained: rec.retained ?? [] };
    } finally {
      await o.jobs.unlock(id, holder).catch(() => undefined);
    }
  }

  /**
   * Start-up: every erasure confirmed but not finished resumes. A job whose lock is still held (the crashed
   * process's lock has not expired yet) is retried until it completes or `untilMs` passes.
   */
  async resumeUnfinished(opts: { retryMs?: number; untilMs?: number; stopped?: () => boolean } = {}): Promise<number> {
    const retry = opts.retryMs ?? 1000;
    const until = Date.now() + (opts.untilMs ?? 10 * 60_000);
    let completed = 0;
    for (;;) {
      if (opts.stopped?.()) return completed;
      let pending: DsrRecord[] | undefined;
      try {
        pending = (await this.#o.ledger.unfinished('erase')).filter((r) => r.status === 'in_progress');
      } catch (err) {
        // Redis not reachable yet (start-up during an outage): try again, the job must not be forgotten.
        this.#o.log.warn({ code: (err as GuardError).code ?? 'ERR_STORAGE_UNAVAILABLE' }, 'guards.dsr.resume_deferred');
      }
      if (pending && pending.length === 0) return completed;
      for (const r of pending ?? []) {
        if (opts.stopped?.()) return completed;
        try {
          const out = await this.runJob(r.id);
          if (out?.status === 'completed') completed++;
        } catch (err) {
          this.#o.log.error({ code: (err as GuardError).code ?? 'ERR_DSR_JOB_FAILED', err: errorFields(err) }, 'guards.dsr.resume_failed');
        }
      }
      if (Date.now() > until) return completed;
      await new Promise((res) => setTimeout(res, retry));
    }
  }
}
