/**
 * Retention (RET-1, GDPR 5(1)(e)). TTLs on write do most of it (every personal-data key carries its class's TTL);
 * this sweep does what a TTL cannot express and proves it:
 *   - conversations whose last activity is older than the transcript retention leave the index and are deleted
 *     (a TTL refreshed by a late write, or a clock the TTL does not see, cannot keep them);
 *   - keys of a personal-data class found WITHOUT a TTL get the class's TTL (`EXPIRE .. NX`: never shortens one);
 *   - audit entries older than the audit retention leave the head of the chain through a checkpoint entry;
 * then writes a purge report (counts per class, no identifiers) to the audit log and keeps the last one for the
 * console. One instance sweeps at a time (a lock with a TTL).
 */
import type { RedisClientType } from 'redis';
import { AuditEvents, type ChainedAuditLog } from '../guards/audit/auditLog.js';
import type { EncryptedTranscriptStore } from '../guards/transcripts/transcriptStore.js';
import { scanAll, storageError } from '../guards/storage/redisClient.js';

export interface RetentionSettings {
  stateSeconds: number;
  transcriptSeconds: number;
  consentSeconds: number;
  requestSeconds: number;
  handoffSeconds: number;
  auditSeconds: number;
  sweepMinutes: number;
}
export type RetentionPolicyView = Record<'state' | 'transcripts' | 'consent' | 'requests' | 'handoff' | 'audit', { seconds: number; how: string }>;
export interface PurgeReport { at: string; counts: Record<string, number>; durationMs: number }

/** Prefix -> which retention applies when a key is found without a TTL. */
const TTL_CLASSES: [string, keyof RetentionSettings][] = [
  ['tl:state:', 'stateSeconds'], ['tl:tx:{', 'transcriptSeconds'], ['tl:txm:', 'transcriptSeconds'], ['tl:tok:', 'transcriptSeconds'],
  ['tl:consent:', 'consentSeconds'], ['tl:ref:', 'stateSeconds'], ['tl:ho:', 'handoffSeconds'],
];
// Shared keys that are not one person's data, or that live by other rules (the audit stream, queues).
const TTL_EXEMPT = /^tl:ho:(queue|reveals)$|^tl:tx:index$/;

export class RetentionSweep {
  #timer: NodeJS.Timeout | undefined;
  constructor(private readonly o: { redis: RedisClientType; transcripts: EncryptedTranscriptStore; audit: ChainedAuditLog; policy: RetentionSettings; now: () => number; instance: string }) {}

  view(): Promise<{ policy: RetentionPolicyView; last: PurgeReport | undefined }> {
    const p = this.o.policy;
    const policy: RetentionPolicyView = {
      state: { seconds: p.stateSeconds, how: 'TTL on every write' },
      transcripts: { seconds: p.transcriptSeconds, how: 'TTL on every write; sweep by last activity' },
      consent: { seconds: p.consentSeconds, how: 'TTL on every write' },
      requests: { seconds: p.requestSeconds, how: 'TTL on every write (PII-free proof of each request)' },
      handoff: { seconds: p.handoffSeconds, how: 'TTL on every write' },
      audit: { seconds: p.auditSeconds, how: 'sweep through a chain checkpoint' },
    };
    return this.o.redis.get('tl:ret:last').then((v) => ({ policy, last: v ? (JSON.parse(v) as PurgeReport) : undefined }), (e: unknown) => { throw storageError(e); });
  }

  async sweep(): Promise<PurgeReport | undefined> {
    const r = this.o.redis;
    const started = performance.now();
    const now = this.o.now();
    try {
      if ((await r.set('tl:ret:lock', this.o.instance.slice(0, 64) || 'x', { condition: 'NX', expiration: { type: 'EX', value: 600 } })) !== 'OK') return undefined;
    } catch (e) { throw storageError(e); }
    try {
      const counts: Record<string, number> = { transcripts: 0, audit: 0, ttlApplied: 0 };
      // 1. Conversations past the transcript retention (by last activity, on the injected clock).
      const cutoff = now - this.o.policy.transcriptSeconds * 1000;
      const old = await this.o.transcripts.listConversations(new Date(0), new Date(cutoff), 100_000);
      for (const s of old) {
        await this.o.transcripts.deleteConversation(s.conversation);
        counts.transcripts!++;
      }
      try { await r.zRemRangeByScore('tl:tx:index', '-inf', `(${cutoff}`); } catch (e) { throw storageError(e); }
      // 2. Keys without a TTL in a personal-data class.
      for (const [prefix, setting] of TTL_CLASSES) {
        for await (const batch of scanAll(r, { MATCH: `${prefix}*`, COUNT: 1000 })) {
          const keys = (batch as unknown as string[]).filter((k) => !TTL_EXEMPT.test(k));
          const applied = await Promise.all(keys.map((k) => r.expire(k, this.o.policy[setting], 'NX')));
          counts.ttlApplied! += applied.filter((x) => Number(x) === 1).length;
        }
      }
      // 3. The audit chain's head, through a checkpoint.
      const auditCutoff = now - this.o.policy.auditSeconds * 1000;
      let through = -1;
      for (const e of await this.o.audit.entries()) {
        if (e.fields.h === undefined) continue;
        if (!(Date.parse(e.fields.at ?? '') < auditCutoff)) break;
        through = Number(e.fields.seq);
      }
      if (through >= 0) counts.audit = (await this.o.audit.trimThrough(through, new Date(now).toISOString())).removed;
      const report: PurgeReport = { at: new Date(now).toISOString(), counts, durationMs: Math.round(performance.now() - started) };
      await this.o.audit.append({
        type: AuditEvents.retentionPurged, at: report.at, reason: 'retention',
        count: String(counts.transcripts! + counts.audit! + counts.ttlApplied!), outcome: Object.entries(counts).map(([k, v]) => `${k}:${v}`).join('|'),
      });
      try { await r.set('tl:ret:last', JSON.stringify(report)); } catch (e) { throw storageError(e); }
      return report;
    } finally {
      await r.del('tl:ret:lock').catch(() => undefined);
    }
  }

  start(onError: (err: unknown) => void): void {
    if (this.#timer || this.o.policy.sweepMinutes <= 0) return;
    this.#timer = setInterval(() => { this.sweep().catch(onError); }, this.o.policy.sweepMinutes * 60_000);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
