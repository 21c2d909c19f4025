/**
 * Breach scoping over 100,000 stored records (BR-1): real sealed transcript entries in a real Redis, across two
 * master key versions and two time windows, then the scope query (compliance/scope.ts) by master version, by window
 * (including conversations that straddle the window edge, whose entries are opened to read their time) and by data
 * key ids. `benchBreachScope()` returns the timings (the lead wires it into `npm run bench`); run this file directly
 * to print them. The seeding plan is exported for the exact-count test (test/compliance/breach.test.ts).
 *
 * Settings: BENCH_BREACH_CONVERSATIONS (default 2000) x BENCH_BREACH_ENTRIES (default 50).
 */
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { createClient, type RedisClientType } from 'redis';
import { initSodium } from '../guards/crypto/sodium.js';
import { DataKeyService } from '../guards/crypto/dataKeys.js';
import { RedisKeyStore } from '../guards/crypto/keyStore.js';
import { Pseudonymizer } from '../guards/crypto/pseudonym.js';
import { EncryptedTranscriptStore, RedisHashBackend } from '../guards/transcripts/transcriptStore.js';
import type { TranscriptEntry } from '../guards/transcripts/redactActivity.js';
import type { MasterKey } from '../config.js';
import { BreachScope, type ScopeQuery } from '../compliance/scope.js';

export const JAN = { from: '2026-01-10T00:00:00.000Z', to: '2026-01-20T23:59:59.999Z', at: Date.parse('2026-01-15T09:00:00.000Z') };
export const MAR = { from: '2026-03-10T00:00:00.000Z', to: '2026-03-20T23:59:59.999Z', at: Date.parse('2026-03-15T09:00:00.000Z') };

export interface SeededConversation { owner: string; version: 'v1' | 'v2'; kid: string; jan: number; mar: number }
export interface Seeded { conversations: SeededConversation[]; records: number; ms: number }

/**
 * Conversation i: key wrapped by v1 for the first half, v2 for the second; entries in January (even i) or March
 * (odd i); the last 5% split half and half between the two windows (they straddle the window edge).
 */
export async function seedBreachRecords(o: { redis: RedisClientType; masters: MasterKey[]; conversations: number; entries: number; tag?: string }): Promise<Seeded> {
  const started = performance.now();
  const store = new RedisKeyStore(o.redis, 86400);
  const services = { v1: new DataKeyService(store, o.masters, 'v1'), v2: new DataKeyService(store, o.masters, 'v2') };
  const stores = {
    v1: new EncryptedTranscriptStore(new RedisHashBackend(o.redis), services.v1, { ttlSeconds: 3 * 365 * 86400, maxEnvelopeBytes: 1 << 20 }),
    v2: new EncryptedTranscriptStore(new RedisHashBackend(o.redis), services.v2, { ttlSeconds: 3 * 365 * 86400, maxEnvelopeBytes: 1 << 20 }),
  };
  const p = new Pseudonymizer(randomBytes(32));
  const tag = o.tag ?? randomBytes(4).toString('hex');
  const out: SeededConversation[] = [];
  // TTL (and the index's trimming, which is relative to the write time) spans both windows: nothing ages out while seeding.
  const entry = (i: number, k: number, at: number): TranscriptEntry => ({
    id: `e${k}`, seq: at * 100 + k, type: 'message', role: k % 2 ? 'bot' : 'user', timestamp: new Date(at + k * 1000).toISOString(), text: `[EMAIL_1] message ${k} of ${i}`, findings: [],
  });
  const one = async (i: number) => {
    const owner = p.conversationOwner('bench', `${tag}-${i}`);
    const version = i < o.conversations / 2 ? 'v1' : 'v2';
    const split = i >= o.conversations * 0.95;
    const ref = { conversation: owner, keyOwner: owner, channelId: 'bench' };
    const all = Array.from({ length: o.entries }, (_, k) => k);
    const janK = split ? all.slice(0, o.entries / 2) : i % 2 === 0 ? all : [];
    const marK = split ? all.slice(o.entries / 2) : i % 2 === 0 ? [] : all;
    if (janK.length) await stores[version].append(ref, janK.map((k) => entry(i, k, JAN.at)), [], new Date(JAN.at));
    if (marK.length) await stores[version].append(ref, marK.map((k) => entry(i, k, MAR.at)), [], new Date(MAR.at));
    out[i] = { owner, version, kid: `${owner}.1`, jan: janK.length, mar: marK.length };
  };
  for (let i = 0; i < o.conversations; i += 100) await Promise.all(Array.from({ length: Math.min(100, o.conversations - i) }, (_, j) => one(i + j)));
  return { conversations: out, records: o.conversations * o.entries, ms: Math.round(performance.now() - started) };
}

/** What the scope query must answer for the seeded plan (owner -> transcript records). */
export function expectedCounts(seeded: Seeded, q: ScopeQuery): Map<string, number> {
  const m = new Map<string, number>();
  const inJan = q.from === undefined || (Date.parse(q.from) <= JAN.at && (q.to === undefined || Date.parse(q.to) >= JAN.at + 3600_000));
  const inMar = (q.from === undefined || Date.parse(q.from) <= MAR.at) && (q.to === undefined || Date.parse(q.to) >= MAR.at + 3600_000);
  for (const c of seeded.conversations) {
    if (q.masterVersion && c.version !== q.masterVersion) continue;
    if (q.dataKeys && !q.dataKeys.includes(c.kid)) continue;
    const n = (inJan ? c.jan : 0) + (inMar ? c.mar : 0);
    if (n) m.set(c.owner, n);
  }
  return m;
}

export interface BreachBenchResult { records: number; seedMs: number; queries: { name: string; ms: number; subjects: number; records: number; examined: number }[] }

export async function benchBreachScope(o: { redisUrl: string; conversations?: number; entries?: number }): Promise<BreachBenchResult> {
  await initSodium();
  const redis = createClient({ url: o.redisUrl }) as RedisClientType;
  await redis.connect();
  try {
    const masters: MasterKey[] = [{ version: 'v1', key: randomBytes(32) }, { version: 'v2', key: randomBytes(32) }];
    const seeded = await seedBreachRecords({ redis, masters, conversations: o.conversations ?? 2000, entries: o.entries ?? 50 });
    const keys = new DataKeyService(new RedisKeyStore(redis, 86400), masters, 'v2');
    const scope = new BreachScope({ redis, keyStore: new RedisKeyStore(redis, 86400), keys, maxEnvelopeBytes: 1 << 20 });
    const queries: [string, ScopeQuery][] = [
      ['master version v1', { masterVersion: 'v1', classes: ['transcripts'] }],
      ['January window', { from: JAN.from, to: JAN.to, classes: ['transcripts'] }],
      ['v2 in January (straddling conversations opened)', { from: JAN.from, to: JAN.to, masterVersion: 'v2', classes: ['transcripts'] }],
      ['100 data keys', { dataKeys: seeded.conversations.slice(0, 100).map((c) => c.kid), classes: ['transcripts'] }],
    ];
    const out: BreachBenchResult['queries'] = [];
    for (const [name, q] of queries) {
      const r = await scope.run(q);
      out.push({ name, ms: r.ms, subjects: r.subjects.length, records: r.records, examined: r.examined });
    }
    return { records: seeded.records, seedMs: seeded.ms, queries: out };
  } finally {
    redis.destroy();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { startRedis } = await import('../test/support/redis.js');
  const server = process.env.REDIS_URL ? undefined : await startRedis();
  try {
    const r = await benchBreachScope({
      redisUrl: process.env.REDIS_URL ?? server!.url,
      conversations: Number(process.env.BENCH_BREACH_CONVERSATIONS ?? 2000), entries: Number(process.env.BENCH_BREACH_ENTRIES ?? 50),
    });
    process.stdout.write(`breach scope over ${r.records} sealed records (seeded in ${r.seedMs} ms)\n`);
    for (const q of r.queries) process.stdout.write(`  ${q.name.padEnd(50)} ${String(q.ms).padStart(6)} ms  ${q.subjects} subjects, ${q.records} records of ${q.examined} examined\n`);
  } finally {
    await server?.stop();
  }
}
