/**
 * `trustline audit verify [--anchor FILE]` walks the chain from the genesis (or from the retention checkpoint) and
 * names the first entry that was changed, removed or reordered; with an anchor file (or when the head record says
 * more existed) a cut tail is caught too. Exit 0 = intact, 1 = tampered, 2/3 = usage or Redis problems.
 *
 * `trustline audit anchor [--out FILE]` appends the current head (position, hash, time, MAC) as one JSON line to FILE,
 * or prints it. Keep the file somewhere the Redis operators cannot write (a WORM bucket, a ticket, a printout).
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import type { LoadedConfig } from '../../config.js';
import { connectRedis } from '../../guards/storage/redisClient.js';
import { createLogger } from '../../guards/log/logger.js';
import { AUDIT_STREAM_KEY, AuditEvents, RedisStreamAuditLog } from '../../guards/audit/auditLog.js';
import { describeProblem, makeAnchor, parseAnchors, verifyChain, type VerifyResult } from '../../guards/audit/verify.js';

export class AuditCommandError extends Error {
  constructor(message: string, readonly exitCode = 2) { super(message); }
}

async function withAudit<T>(loaded: LoadedConfig, stream: string, fn: (log: RedisStreamAuditLog) => Promise<T>): Promise<T> {
  const { config: c, secrets } = loaded;
  if (!c.redisUrl) throw new AuditCommandError('the audit log needs REDIS_URL (the embedded store keeps it inside the bot process)');
  const log = createLogger({ level: 'warn', instance: 'cli' });
  const redis = await connectRedis({
    url: c.redisUrl, name: 'data', connectTimeoutMs: c.redisConnectTimeoutMs, commandTimeoutMs: Math.max(c.redisCommandTimeoutMs, 10_000), log,
    tls: { ca: c.ops.redis.tls.ca, cert: c.ops.redis.tls.cert, key: secrets.redisTlsKey || undefined }, username: c.ops.redis.username, password: secrets.redisPassword || undefined, cluster: c.redisCluster,
  });
  try {
    if (!redis.isReady()) throw new AuditCommandError('Redis is not reachable', 3);
    return await fn(new RedisStreamAuditLog(redis.raw, stream, { chainKey: secrets.auditKey, instance: 'cli' }));
  } finally {
    await redis.close();
  }
}

export async function verifyAudit(loaded: LoadedConfig, o: { anchor?: string; stream?: string }): Promise<VerifyResult> {
  let anchorText: string | undefined;
  if (o.anchor) {
    if (!existsSync(o.anchor)) throw new AuditCommandError('the anchor file does not exist');
    anchorText = readFileSync(o.anchor, 'utf8');
  }
  return withAudit(loaded, o.stream ?? AUDIT_STREAM_KEY, async (log) => {
    let anchor;
    try { anchor = anchorText !== undefined ? parseAnchors(loaded.secrets.auditKey, anchorText) : undefined; } catch { throw new AuditCommandError('the anchor file is not valid for this audit key', 1); }
    const [entries, head] = await Promise.all([log.entries(), log.head()]);
    return verifyChain(entries, loaded.secrets.auditKey, { ...(head ? { head } : {}), ...(anchor ? { anchor } : {}) });
  });
}

/** Runs verify and writes the report; returns the exit code. */
export async function runAuditVerify(loaded: LoadedConfig, o: { anchor?: string; stream?: string; json?: boolean }, out: NodeJS.WritableStream): Promise<number> {
  const r = await verifyAudit(loaded, o);
  if (o.json) out.write(`${JSON.stringify(r)}\n`);
  else if (r.ok) out.write(`audit chain intact: ${r.checked} entries checked (positions ${r.first ?? '-'}..${r.last ?? '-'})${o.anchor ? ', anchor matched' : ''}\n`);
  else out.write(`audit chain FAILED: ${describeProblem(r.problem!)}\n`);
  return r.ok ? 0 : 1;
}

export async function runAuditAnchor(loaded: LoadedConfig, o: { out?: string; stream?: string }, out: NodeJS.WritableStream): Promise<void> {
  await withAudit(loaded, o.stream ?? AUDIT_STREAM_KEY, async (log) => {
    // An empty log gets its genesis first, so there is always something to anchor.
    if (!(await log.head())) await log.append({ type: AuditEvents.auditAnchored, at: new Date().toISOString(), method: 'cli' });
    const head = (await log.head())!;
    const line = `${JSON.stringify(makeAnchor(loaded.secrets.auditKey, log.streamKey, head, new Date().toISOString()))}\n`;
    if (o.out) {
      appendFileSync(o.out, line, { mode: 0o600 });
      out.write(`anchored entry ${head.seq} to ${o.out}\n`);
    } else out.write(line);
  });
}

/** `trustline audit verify|anchor` on the program (cli/trustline.ts). */
export function registerAuditCommands(program: import('commander').Command, config: () => LoadedConfig, fail: (message: string, code?: number) => never): void {
  const audit = program.command('audit').description('the tamper-evident audit log');
  const run = (fn: () => Promise<void>) => fn().catch((err: unknown) => {
    if (err instanceof AuditCommandError) fail(err.message, err.exitCode);
    fail('the audit command failed', 3);
  });
  audit.command('verify').description('walk the hash chain; names the first changed, removed or reordered entry (exit 1)')
    .option('--anchor <file>', 'anchor file written by `audit anchor`: a cut tail is caught too')
    .option('--json', 'machine-readable output')
    .action((o: { anchor?: string; json?: boolean }) => run(async () => { process.exitCode = await runAuditVerify(config(), o, process.stdout); }));
  audit.command('anchor').description('write the current head (position, hash, MAC) to a file, or print it')
    .option('--out <file>', 'append the anchor as one JSON line to this file')
    .action((o: { out?: string }) => run(() => runAuditAnchor(config(), o, process.stdout)));
}
