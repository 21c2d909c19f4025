/**
 * `trustline keys status|rotate`: master key versions and the data keys they wrap (never key bytes).
 *
 * Rotation re-wraps every data key under the active master version (safe to rerun after an interruption). It is a
 * key event (AUD-1): an entry is appended to the hash-chained audit log before it starts (so an interrupted run
 * leaves a trace) and one when it ends, with who ran it, the versions re-wrapped from and to, and the counts. A
 * rotation whose start cannot be audited does not run.
 */
import { userInfo } from 'node:os';
import type { LoadedConfig } from '../../config.js';
import { initSodium } from '../../guards/crypto/sodium.js';
import { DataKeyService } from '../../guards/crypto/dataKeys.js';
import { RedisKeyStore } from '../../guards/crypto/keyStore.js';
import { connectRedis, type ManagedRedis } from '../../guards/storage/redisClient.js';
import { createLogger } from '../../guards/log/logger.js';
import { AUDIT_STREAM_KEY, AuditEvents, RedisStreamAuditLog, type AuditEvent } from '../../guards/audit/auditLog.js';

export class KeysCommandError extends Error {
  constructor(message: string, readonly exitCode = 2) { super(message); }
}

/** An audit `actor` word: the given one, else `os:<login name>` of whoever runs the command. */
export function operatorActor(given: string | undefined): string {
  const clean = (s: string) => s.replace(/[^A-Za-z0-9_.:-]/g, '_').slice(0, 64);
  if (given !== undefined) {
    if (!/^[A-Za-z0-9_.:-]{1,64}$/.test(given)) throw new KeysCommandError('--actor must be a staff id or login name (letters, digits, _ . : -)');
    return given;
  }
  let login = 'unknown';
  try { login = userInfo().username || 'unknown'; } catch { /* no passwd entry (containers) */ }
  return `os:${clean(login)}`;
}

async function connect(loaded: LoadedConfig, which: 'keystore' | 'data'): Promise<ManagedRedis> {
  const { config: c, secrets } = loaded;
  const log = createLogger({ level: 'warn', instance: 'cli', destination: undefined });
  const url = which === 'keystore' ? c.keystoreRedisUrl! : c.redisUrl!;
  const redis = await connectRedis({
    url, name: which, cluster: which === 'keystore' ? c.keystoreRedisCluster : c.redisCluster, connectTimeoutMs: c.redisConnectTimeoutMs, commandTimeoutMs: Math.max(c.redisCommandTimeoutMs, 5000), log,
    tls: { ca: c.ops.redis.tls.ca, cert: c.ops.redis.tls.cert, key: secrets.redisTlsKey || undefined },
    username: which === 'keystore' ? c.ops.redis.keystoreUsername : c.ops.redis.username,
    password: (which === 'keystore' ? secrets.keystoreRedisPassword : secrets.redisPassword) || undefined,
  });
  if (!redis.isReady()) {
    await redis.close();
    throw new KeysCommandError(which === 'keystore' ? 'the key store Redis is not reachable' : 'the data Redis (audit log) is not reachable', 3);
  }
  return redis;
}

export async function withKeyService<T>(loaded: LoadedConfig, fn: (keys: DataKeyService) => Promise<T>): Promise<T> {
  const { config: c, secrets } = loaded;
  if (!c.keystoreRedisUrl) throw new KeysCommandError('no KEYSTORE_REDIS_URL or REDIS_URL: the embedded store keeps its keys inside the bot process, there is nothing to manage');
  await initSodium();
  const redis = await connect(loaded, 'keystore');
  try {
    return await fn(new DataKeyService(new RedisKeyStore(redis.commands, c.retention.keySeconds), secrets.masterKeys, secrets.activeMasterVersion));
  } finally {
    await redis.close();
  }
}

export interface RotateReport {
  rewrapped: number; alreadyCurrent: number; failed: number; from: string[]; to: string;
  /** `unavailable`: no REDIS_URL, so no audit log (development only; production requires REDIS_URL). */
  audit: 'recorded' | 'failed' | 'unavailable';
}

/**
 * Re-wraps every data key under the active master version, audited. Without REDIS_URL (a key store but no data
 * store: development only) there is no audit log to write to, and the report says so.
 */
export async function runKeysRotate(loaded: LoadedConfig, o: { actor?: string; now?: () => Date }): Promise<RotateReport> {
  const actor = operatorActor(o.actor);
  const now = o.now ?? (() => new Date());
  const to = loaded.secrets.activeMasterVersion;
  let data: ManagedRedis | undefined;
  let audit: RedisStreamAuditLog | undefined;
  if (loaded.config.redisUrl) {
    data = await connect(loaded, 'data');
    audit = new RedisStreamAuditLog(data.raw, AUDIT_STREAM_KEY, { chainKey: loaded.secrets.auditKey, instance: 'cli' });
  }
  try {
    return await withKeyService(loaded, async (keys) => {
      const before = await keys.status();
      // Versions other than the active one that wrap at least one data key: what this run moves away from.
      const from = Object.entries(before.byMasterVersion).filter(([v, n]) => v !== to && n > 0).map(([v]) => v).sort();
      const event = (outcome: string, extra: Partial<AuditEvent> = {}): AuditEvent => ({
        type: AuditEvents.keysRotated, at: now().toISOString(), actor, method: 'rewrap', object: to, purpose: from.join('|') || 'none', outcome, ...extra,
      });
      if (audit) {
        try { await audit.append(event('started', { count: String(before.total) })); } catch { throw new KeysCommandError('the audit log cannot be written: nothing was rotated', 3); }
      }
      const r = await keys.rotate();
      let recorded: RotateReport['audit'] = 'unavailable';
      if (audit) {
        try {
          await audit.append(event(r.failed > 0 ? 'incomplete' : 'completed', { count: String(r.rewrapped), reason: `current_${r.alreadyCurrent}_failed_${r.failed}` }));
          recorded = 'recorded';
        } catch { recorded = 'failed'; }
      }
      return { ...r, from, to, audit: recorded };
    });
  } finally {
    await data?.close();
  }
}
