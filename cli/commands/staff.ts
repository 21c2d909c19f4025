/**
 * `trustline staff add --role agent --email ...` and `trustline staff disable --id ...`. `add` prints the account id,
 * an initial password (unless one is given on stdin with --password-stdin) and the TOTP enrolment URI, once: none of
 * them is stored in clear anywhere. `disable` ends every session of the account at once.
 */
import type { LoadedConfig } from '../../config.js';
import { initSodium } from '../../guards/crypto/sodium.js';
import { DataKeyService } from '../../guards/crypto/dataKeys.js';
import { RedisKeyStore } from '../../guards/crypto/keyStore.js';
import { Pseudonymizer } from '../../guards/crypto/pseudonym.js';
import { connectRedis, type ManagedRedis } from '../../guards/storage/redisClient.js';
import { createLogger } from '../../guards/log/logger.js';
import { AUDIT_STREAM_KEY, AuditEvents, RedisStreamAuditLog } from '../../guards/audit/auditLog.js';
import { StaffAccounts, randomPassword } from '../../staff/accounts.js';
import { StaffSessions } from '../../staff/sessions.js';
import { STAFF_ROLES, type StaffRole } from '../../staff/rbac.js';
import { isGuardError } from '../../guards/errors.js';

export class StaffCommandError extends Error {
  constructor(message: string, readonly exitCode = 2) { super(message); }
}

async function withStaff<T>(loaded: LoadedConfig, fn: (s: { accounts: StaffAccounts; sessions: StaffSessions; audit: RedisStreamAuditLog }) => Promise<T>): Promise<T> {
  const { config: c, secrets } = loaded;
  if (!c.redisUrl) throw new StaffCommandError('staff accounts need REDIS_URL (they are shared by every instance)');
  await initSodium();
  const log = createLogger({ level: 'warn', instance: 'cli' });
  const common = { connectTimeoutMs: c.redisConnectTimeoutMs, commandTimeoutMs: Math.max(c.redisCommandTimeoutMs, 5000), log };
  const opened: ManagedRedis[] = [];
  try {
    // Production Redis: ACL user, password and TLS, like the bot (without them the command could not log in).
    const tls = { ca: c.ops.redis.tls.ca, cert: c.ops.redis.tls.cert, key: secrets.redisTlsKey || undefined };
    const data = await connectRedis({ url: c.redisUrl, name: 'data', ...common, tls, username: c.ops.redis.username, password: secrets.redisPassword || undefined, cluster: c.redisCluster });
    opened.push(data);
    const ks = await connectRedis({ url: c.keystoreRedisUrl ?? c.redisUrl, name: 'keystore', ...common, tls, username: c.ops.redis.keystoreUsername, password: secrets.keystoreRedisPassword || undefined, cluster: c.keystoreRedisCluster });
    opened.push(ks);
    if (!data.isReady() || !ks.isReady()) throw new StaffCommandError('Redis is not reachable', 3);
    const keys = new DataKeyService(new RedisKeyStore(ks.commands, c.retention.keySeconds), secrets.masterKeys, secrets.activeMasterVersion);
    const accounts = new StaffAccounts({ redis: data.raw, keys, pseudonyms: new Pseudonymizer(secrets.keyNameKey), totpIssuer: c.staff.totpIssuer, now: Date.now });
    return await fn({ accounts, sessions: new StaffSessions(data.raw, Date.now), audit: new RedisStreamAuditLog(data.raw, AUDIT_STREAM_KEY, { chainKey: secrets.auditKey, instance: 'cli' }) });
  } finally {
    for (const r of opened) await r.close();
  }
}

export function parseRoles(list: string[]): StaffRole[] {
  const roles = list.flatMap((r) => r.split(',')).map((r) => r.trim()).filter(Boolean);
  if (roles.length === 0 || roles.some((r) => !(STAFF_ROLES as readonly string[]).includes(r))) {
    throw new StaffCommandError(`--role must be one or more of ${STAFF_ROLES.join(', ')}`);
  }
  return [...new Set(roles)] as StaffRole[];
}

export async function runStaffAdd(loaded: LoadedConfig, o: { email: string; roles: string[]; password?: string }, out: NodeJS.WritableStream): Promise<void> {
  const roles = parseRoles(o.roles);
  const password = o.password ?? randomPassword();
  await withStaff(loaded, async ({ accounts, audit }) => {
    let created: { id: string; totpUri: string };
    try {
      created = await accounts.create({ email: o.email, roles, password });
    } catch (err) {
      if (isGuardError(err, 'ERR_STAFF_EXISTS')) throw new StaffCommandError('an account with this e-mail address exists');
      if (isGuardError(err, 'ERR_STAFF_INVALID')) throw new StaffCommandError('invalid e-mail address, role or password (passwords: 12 to 256 characters)');
      throw err;
    }
    await audit.append({ type: AuditEvents.staffCreated, at: new Date().toISOString(), object: created.id, method: 'cli' });
    out.write(`account: ${created.id}\nroles: ${roles.join(',')}\n`);
    if (!o.password) out.write(`initial password (shown once): ${password}\n`);
    out.write(`TOTP enrolment URI (shown once; add it to an authenticator app, e.g. as a QR code):\n${created.totpUri}\n`);
  });
}

export async function runStaffDisable(loaded: LoadedConfig, o: { id: string }, out: NodeJS.WritableStream): Promise<void> {
  await withStaff(loaded, async ({ accounts, sessions, audit }) => {
    if (!(await accounts.disable(o.id))) throw new StaffCommandError('no such account');
    const ended = await sessions.destroyAll(o.id);
    await audit.append({ type: AuditEvents.staffDisabled, at: new Date().toISOString(), object: o.id, method: 'cli' });
    out.write(`disabled ${o.id}; ended ${ended} session(s)\n`);
  });
}
