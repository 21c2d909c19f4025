/**
 * Breach scoping (BR-1, GDPR 33(3)): given a time window and/or a master key version or data key ids, and data
 * classes, which subjects are affected and by how many records. Subjects are the pseudonymous owners of the data
 * keys (`s_...` a verified subject's random owner id, `c_...` a conversation's keyed-hash id): nobody's name.
 *
 * Records are read where they are, without scanning values more than once:
 *   transcripts  conversations from the index `tl:tx:index` (score = last activity, so only those active since the
 *                window's start), their summary (first/last) and entries. A conversation wholly inside (or outside)
 *                the window is decided from its summary; only one that straddles a window edge has its entries
 *                opened to read each entry's time. The key id comes from each envelope's header.
 *   handoff      relayed messages (`tl:ho:msg:{c}` streams): stream ids are times, the key id is in the header.
 *   state        conversation and user state (`tl:state:*`): no write time is kept, so with a window a record counts
 *                when its data key existed before the window ended (conservative: over-inclusion, never a miss).
 * Key filters: the master version wrapping the data key now (`tl:key:{owner}`), or the envelope's key id.
 */
import type { RedisClientType } from 'redis';
import { ownerOfKid, type DataKeyService } from '../guards/crypto/dataKeys.js';
import type { KeyStore, WrappedKeyRecord } from '../guards/crypto/keyStore.js';
import { openEnvelope, readEnvelopeHeader } from '../guards/crypto/envelope.js';
import { scanAll, storageError } from '../guards/storage/redisClient.js';

export const DATA_CLASSES = ['transcripts', 'handoff', 'state'] as const;
export type DataClass = (typeof DATA_CLASSES)[number];

export interface ScopeQuery {
  from?: string;
  to?: string;
  masterVersion?: string;
  dataKeys?: string[];
  classes: DataClass[];
}

export interface ScopedSubject { subject: string; counts: Partial<Record<DataClass, number>>; total: number }
export interface ScopeResult {
  query: ScopeQuery;
  subjects: ScopedSubject[];
  byClass: Partial<Record<DataClass, number>>;
  records: number;
  /** Records looked at (matched or not). */
  examined: number;
  ms: number;
}

/** Validates an untrusted query (console, CLI); throws a plain Error naming the field. */
export function parseScopeQuery(v: Record<string, unknown>): ScopeQuery {
  const q: ScopeQuery = { classes: [] };
  const classes = Array.isArray(v.classes) ? v.classes : [];
  for (const c of classes) if ((DATA_CLASSES as readonly unknown[]).includes(c)) q.classes.push(c as DataClass); else throw new Error('classes');
  if (!q.classes.length) throw new Error('classes');
  for (const f of ['from', 'to'] as const) {
    if (v[f] === undefined || v[f] === '' || v[f] === null) continue;
    if (typeof v[f] !== 'string' || !Number.isFinite(Date.parse(v[f] as string))) throw new Error(f);
    q[f] = new Date(Date.parse(v[f] as string)).toISOString();
  }
  if (v.masterVersion !== undefined && v.masterVersion !== '') {
    if (typeof v.masterVersion !== 'string' || !/^v[0-9]{1,6}$/.test(v.masterVersion)) throw new Error('masterVersion');
    q.masterVersion = v.masterVersion;
  }
  if (v.dataKeys !== undefined) {
    if (!Array.isArray(v.dataKeys) || v.dataKeys.length > 10_000 || v.dataKeys.some((k) => typeof k !== 'string' || !/^[A-Za-z0-9_-]{1,80}\.[0-9]{1,6}$/.test(k))) throw new Error('dataKeys');
    if (v.dataKeys.length) q.dataKeys = v.dataKeys as string[];
  }
  if (!q.from && !q.to && !q.masterVersion && !q.dataKeys) throw new Error('window_or_keys');
  return q;
}

const BATCH = 500;

export class BreachScope {
  constructor(private readonly o: { redis: RedisClientType; keyStore: KeyStore; keys: DataKeyService; maxEnvelopeBytes: number }) {}

  async run(q: ScopeQuery): Promise<ScopeResult> {
    const started = performance.now();
    const from = q.from ? Date.parse(q.from) : -Infinity;
    const to = q.to ? Date.parse(q.to) : Infinity;
    const dataKeys = q.dataKeys ? new Set(q.dataKeys) : undefined;
    const records = new Map<string, WrappedKeyRecord | null>();
    const counts = new Map<string, Partial<Record<DataClass, number>>>();
    let examined = 0;

    const recordsOf = async (owners: string[]) => {
      const missing = [...new Set(owners)].filter((o) => !records.has(o));
      for (let i = 0; i < missing.length; i += BATCH) {
        const part = missing.slice(i, i + BATCH);
        const recs = await this.o.keyStore.getMany(part);
        part.forEach((o, j) => records.set(o, recs[j] ?? null));
      }
    };
    /** Does a record sealed under `kid` fall under the key filters? */
    const keyMatches = (kid: string): boolean => {
      if (dataKeys && !dataKeys.has(kid)) return false;
      if (q.masterVersion) {
        const rec = records.get(ownerOfKid(kid));
        // A destroyed or replaced key: nothing it sealed can be opened with any master key any more.
        if (!rec || rec.kid !== kid || rec.mv !== q.masterVersion) return false;
      }
      return true;
    };
    const count = (kid: string, cls: DataClass) => {
      const owner = ownerOfKid(kid);
      const c = counts.get(owner) ?? {};
      c[cls] = (c[cls] ?? 0) + 1;
      counts.set(owner, c);
    };
    const kidOf = (env: string): string | undefined => {
      try { return readEnvelopeHeader(env, this.o.maxEnvelopeBytes).kid; } catch { return undefined; }
    };
    const r = this.o.redis;
    try {
      if (q.classes.includes('transcripts')) {
        const ids = await r.zRangeByScore('tl:tx:index', Number.isFinite(from) ? from : '-inf', '+inf');
        for (let i = 0; i < ids.length; i += BATCH) {
          const part = ids.slice(i, i + BATCH);
          const [metas, entries] = await Promise.all([
            Promise.all(part.map((c) => r.hmGet(`tl:txm:{${c}}`, ['first', 'last']))),
            Promise.all(part.map((c) => r.hGetAll(`tl:tx:{${c}}`))),
          ]);
          // Per conversation: [field, kid, env] of each entry whose header reads.
          const perConv = part.map((_, j) => Object.entries(entries[j]!).map(([field, env]) => [field, kidOf(env), env] as const).filter((x): x is readonly [string, string, string] => Boolean(x[1])));
          examined += entries.reduce((a, e) => a + Object.keys(e).length, 0);
          await recordsOf(perConv.flatMap((xs) => xs.map((x) => ownerOfKid(x[1]))));
          for (let j = 0; j < part.length; j++) {
            const c = part[j]!;
            const first = Date.parse(metas[j]![0] ?? '');
            const last = Date.parse(metas[j]![1] ?? '');
            const mine = perConv[j]!.filter((x) => keyMatches(x[1]));
            if (!mine.length) continue;
            const inside = Number.isFinite(first) && Number.isFinite(last) && first >= from && last <= to;
            const outside = Number.isFinite(first) && Number.isFinite(last) && (last < from || first > to);
            if (outside) continue;
            for (const [field, kid, env] of mine) {
              if (inside || (!q.from && !q.to)) { count(kid, 'transcripts'); continue; }
              // Straddles an edge: the entry's own time decides (opened with the key we hold).
              const at = await this.#entryTime(c, field, kid, env);
              if (at === undefined || (at >= from && at <= to)) count(kid, 'transcripts');
            }
          }
        }
      }
      if (q.classes.includes('handoff')) {
        const streams: string[] = [];
        for await (const batch of scanAll(r, { MATCH: 'tl:ho:msg:{*}', COUNT: 1000 })) streams.push(...(batch as unknown as string[]));
        for (let i = 0; i < streams.length; i += BATCH) {
          const part = streams.slice(i, i + BATCH);
          const rows = await Promise.all(part.map((k) => r.xRange(k, Number.isFinite(from) ? String(from) : '-', Number.isFinite(to) ? String(to) : '+')));
          const kids = rows.flatMap((rs) => (rs ?? []).map((x) => kidOf(String((x.message as Record<string, string>).env ?? '')))).filter((k): k is string => Boolean(k));
          examined += kids.length;
          await recordsOf(kids.map(ownerOfKid));
          for (const kid of kids) if (keyMatches(kid)) count(kid, 'handoff');
        }
      }
      if (q.classes.includes('state')) {
        const keys: string[] = [];
        for await (const batch of scanAll(r, { MATCH: 'tl:state:*', COUNT: 1000 })) keys.push(...(batch as unknown as string[]));
        for (let i = 0; i < keys.length; i += BATCH) {
          const part = keys.slice(i, i + BATCH);
          const vals = await Promise.all(part.map((k) => r.hGet(k, 'v')));
          const kids = vals.map((v) => { try { return kidOf(String((JSON.parse(v ?? '{}') as { env?: string }).env ?? '')); } catch { return undefined; } }).filter((k): k is string => Boolean(k));
          examined += kids.length;
          await recordsOf(kids.map(ownerOfKid));
          for (const kid of kids) {
            if (!keyMatches(kid)) continue;
            const created = Date.parse(records.get(ownerOfKid(kid))?.created ?? '');
            if (Number.isFinite(to) && Number.isFinite(created) && created > to) continue;
            count(kid, 'state');
          }
        }
      }
    } catch (e) {
      throw storageError(e);
    }
    const subjects: ScopedSubject[] = [...counts].map(([subject, c]) => ({ subject, counts: c, total: Object.values(c).reduce((a, b) => a + (b ?? 0), 0) }))
      .sort((a, b) => b.total - a.total || a.subject.localeCompare(b.subject));
    const byClass: Partial<Record<DataClass, number>> = {};
    for (const s of subjects) for (const [k, v] of Object.entries(s.counts)) byClass[k as DataClass] = (byClass[k as DataClass] ?? 0) + (v ?? 0);
    return { query: q, subjects, byClass, records: subjects.reduce((a, s) => a + s.total, 0), examined, ms: Math.round(performance.now() - started) };
  }

  async #entryTime(c: string, field: string, kid: string, env: string): Promise<number | undefined> {
    try {
      const h = readEnvelopeHeader(env, this.o.maxEnvelopeBytes);
      const key = await this.o.keys.keyForRead(kid);
      const e = JSON.parse(Buffer.from(openEnvelope(key, h, `tx/${c}/${field}`)).toString('utf8')) as { timestamp?: string };
      const t = Date.parse(e.timestamp ?? '');
      return Number.isFinite(t) ? t : undefined;
    } catch {
      // Unreadable (destroyed key, tampered): counted, since we cannot show it was outside the window.
      return undefined;
    }
  }
}
