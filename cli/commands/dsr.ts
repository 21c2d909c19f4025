/**
 * `trustline dsr list`: the request ledger (issue 5 item 7) as a table or JSON Lines, oldest first, with the
 * deadline flag the compliance console will show. PII-free by construction: ids, types, pseudonyms, dates, words.
 */
import type { Writable } from 'node:stream';
import type { LoadedConfig } from '../../config.js';
import { connectRedis } from '../../guards/storage/redisClient.js';
import { createLogger } from '../../guards/log/logger.js';
import { RedisDsrLedger, type DsrLedger, type DsrRecord } from '../../guards/dsr/ledger.js';
import { flagFor } from '../../guards/dsr/deadlines.js';

export class DsrCommandError extends Error {
  constructor(message: string, readonly exitCode = 2) { super(message); }
}

export interface DsrListOptions { json?: boolean; since?: string; open?: boolean; now?: Date }

/** Formats the ledger; separated from the Redis connection so tests can give it any ledger. */
export async function listRequests(ledger: DsrLedger, o: DsrListOptions, out: Writable): Promise<number> {
  let since: Date | undefined;
  if (o.since) {
    since = new Date(o.since);
    if (Number.isNaN(since.getTime())) throw new DsrCommandError('--since needs a date (YYYY-MM-DD)');
  }
  const now = o.now ?? new Date();
  let rows: DsrRecord[] = await ledger.list({ ...(since ? { since } : {}), limit: 100_000 });
  if (o.open) rows = rows.filter((r) => ['received', 'verifying', 'in_progress'].includes(r.status));
  const flag = (r: DsrRecord) => (['completed', 'cancelled', 'rejected'].includes(r.status) ? 'closed' : flagFor(new Date(`${r.due}T00:00:00Z`), now));
  if (o.json) {
    for (const r of rows) out.write(`${JSON.stringify({ ...r, flag: flag(r) })}\n`);
    return rows.length;
  }
  const head = ['receipt', 'type', 'regime', 'status', 'received', 'acknowledged', 'due', 'flag', 'outcome', 'subject'];
  const table = rows.map((r) => [r.id, r.type, r.regime, r.status, r.received.slice(0, 16).replace('T', ' '), r.acknowledged ? r.acknowledged.slice(0, 16).replace('T', ' ') : '-', r.due, flag(r), r.outcome ?? '-', r.subject]);
  const widths = head.map((h, i) => Math.max(h.length, ...table.map((row) => row[i]!.length)));
  const line = (cells: string[]) => `${cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')}\n`;
  out.write(line(head));
  for (const row of table) out.write(line(row));
  out.write(`${rows.length} request(s)\n`);
  return rows.length;
}

export async function runDsrList(loaded: LoadedConfig, o: DsrListOptions, out: Writable): Promise<void> {
  const c = loaded.config;
  if (!c.redisUrl) throw new DsrCommandError('the request ledger needs REDIS_URL (the embedded store lives inside the bot process)');
  const log = createLogger({ level: 'warn', instance: 'cli' });
  const data = await connectRedis({
    url: c.redisUrl, name: 'data', connectTimeoutMs: c.redisConnectTimeoutMs, commandTimeoutMs: Math.max(c.redisCommandTimeoutMs, 5000), log,
    tls: { ca: c.ops.redis.tls.ca, cert: c.ops.redis.tls.cert, key: loaded.secrets.redisTlsKey || undefined }, username: c.ops.redis.username, password: loaded.secrets.redisPassword || undefined, cluster: c.redisCluster,
  });
  try {
    if (!data.isReady()) throw new DsrCommandError('Redis is not reachable', 3);
    await listRequests(new RedisDsrLedger(data.raw, c.dsr.recordSeconds), o, out);
  } finally {
    await data.close();
  }
}
