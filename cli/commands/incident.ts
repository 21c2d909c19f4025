/**
 * `trustline incident ...`: the breach register from the command line, for when the console is not at hand.
 *   open     record an incident (what, detected, aware_at; due = aware_at + 72 h)
 *   list     the register
 *   scope    run the scoping query and print subjects with counts (JSON)
 *   propose  propose a four-eyes action (revoke a master version, replace data keys, notify). The CLI can ONLY
 *            propose: a logged-in admin approves it in the console, and only then does it run.
 * Every step is written to the audit log with actor `cli`.
 */
import { createHmac } from 'node:crypto';
import type { Command } from 'commander';
import type { LoadedConfig } from '../../config.js';
import { initSodium } from '../../guards/crypto/sodium.js';
import { DataKeyService } from '../../guards/crypto/dataKeys.js';
import { RedisKeyStore } from '../../guards/crypto/keyStore.js';
import { connectRedis, type ManagedRedis } from '../../guards/storage/redisClient.js';
import { createLogger } from '../../guards/log/logger.js';
import { AUDIT_STREAM_KEY, AuditEvents, RedisStreamAuditLog } from '../../guards/audit/auditLog.js';
import { createDefaultRedactor, type EntityType, type OperatorName } from '../../guards/pii/index.js';
import { BreachScope, parseScopeQuery } from '../../compliance/scope.js';
import { ACTION_KINDS, IncidentStore, parseClasses, type ActionKind } from '../../compliance/incidents.js';

export class IncidentCommandError extends Error {
  constructor(message: string, readonly exitCode = 2) { super(message); }
}

interface Ctx { incidents: IncidentStore; scope: BreachScope; audit: RedisStreamAuditLog; loaded: LoadedConfig }

async function withIncidents<T>(loaded: LoadedConfig, fn: (c: Ctx) => Promise<T>): Promise<T> {
  const { config: c, secrets } = loaded;
  if (!c.redisUrl) throw new IncidentCommandError('the incident register needs REDIS_URL');
  await initSodium();
  const log = createLogger({ level: 'warn', instance: 'cli' });
  const tls = { ca: c.ops.redis.tls.ca, cert: c.ops.redis.tls.cert, key: secrets.redisTlsKey || undefined };
  const common = { connectTimeoutMs: c.redisConnectTimeoutMs, commandTimeoutMs: Math.max(c.redisCommandTimeoutMs, 30_000), log, tls };
  const opened: ManagedRedis[] = [];
  try {
    const data = await connectRedis({ url: c.redisUrl, name: 'data', ...common, username: c.ops.redis.username, password: secrets.redisPassword || undefined, cluster: c.redisCluster });
    opened.push(data);
    const ks = await connectRedis({ url: c.keystoreRedisUrl ?? c.redisUrl, name: 'keystore', ...common, username: c.ops.redis.keystoreUsername, password: secrets.keystoreRedisPassword || undefined, cluster: c.keystoreRedisCluster });
    opened.push(ks);
    if (!data.isReady() || !ks.isReady()) throw new IncidentCommandError('Redis is not reachable', 3);
    const keyStore = new RedisKeyStore(ks.commands, c.retention.keySeconds);
    const keys = new DataKeyService(keyStore, secrets.masterKeys, secrets.activeMasterVersion);
    return await fn({
      incidents: new IncidentStore(data.raw, c.dsr.recordSeconds),
      scope: new BreachScope({ redis: data.raw, keyStore, keys, maxEnvelopeBytes: c.maxEnvelopeBytes }),
      audit: new RedisStreamAuditLog(data.raw, AUDIT_STREAM_KEY, { chainKey: secrets.auditKey, instance: 'cli' }),
      loaded,
    });
  } finally {
    for (const r of opened) await r.close();
  }
}

const iso = (v: string, name: string) => {
  const t = Date.parse(v);
  if (!Number.isFinite(t)) throw new IncidentCommandError(`--${name} must be a date/time`);
  return new Date(t).toISOString();
};
const csv = (v: string | undefined) => (v ? v.split(',').map((x) => x.trim()).filter(Boolean) : []);

export async function runIncidentOpen(loaded: LoadedConfig, o: { title: string; detected: string; aware: string; classes: string; masterVersions?: string; dataKeys?: string }, out: NodeJS.WritableStream): Promise<string> {
  const redactor = createDefaultRedactor({
    operators: loaded.config.piiOperators as Partial<Record<EntityType, OperatorName>>, hashKey: loaded.secrets.piiHashKey,
    tagKey: createHmac('sha256', Buffer.from(loaded.secrets.piiHashKey)).update('trustline.pii.tags').digest(),
  });
  let dataClasses;
  try { dataClasses = parseClasses(csv(o.classes)); } catch { throw new IncidentCommandError('--classes: transcripts, handoff, state'); }
  return withIncidents(loaded, async ({ incidents, audit }) => {
    const now = new Date().toISOString();
    const inc = await incidents.create({
      title: redactor.redact(o.title.slice(0, 500)).text, detectedAt: iso(o.detected, 'detected'), awareAt: iso(o.aware, 'aware'), dataClasses,
      masterVersions: csv(o.masterVersions), dataKeys: csv(o.dataKeys), createdBy: 'cli', createdAt: now,
    });
    await audit.append({ type: AuditEvents.incidentOpened, at: now, actor: 'cli', object: inc.id, method: 'cli' });
    out.write(`incident ${inc.id}: aware ${inc.awareAt}, notify the authority by ${inc.due}\n`);
    return inc.id;
  });
}

export async function runIncidentList(loaded: LoadedConfig, out: NodeJS.WritableStream): Promise<void> {
  await withIncidents(loaded, async ({ incidents }) => {
    for (const i of await incidents.list()) out.write(`${i.id}  ${i.status.padEnd(9)}  aware ${i.awareAt}  due ${i.due}  ${i.title}\n`);
  });
}

export async function runIncidentScope(loaded: LoadedConfig, o: { id: string; from?: string; to?: string; masterVersion?: string; dataKeys?: string; classes: string }, out: NodeJS.WritableStream): Promise<void> {
  let q;
  try { q = parseScopeQuery({ from: o.from, to: o.to, masterVersion: o.masterVersion, dataKeys: o.dataKeys ? csv(o.dataKeys) : undefined, classes: csv(o.classes) }); } catch (e) { throw new IncidentCommandError(`invalid scope: ${(e as Error).message}`); }
  await withIncidents(loaded, async ({ incidents, scope, audit }) => {
    if (!(await incidents.get(o.id))) throw new IncidentCommandError('no such incident');
    const r = await scope.run(q);
    await incidents.update(o.id, (i) => ({ ...i, scope: { at: new Date().toISOString(), query: q, subjects: r.subjects.length, records: r.records, byClass: r.byClass } }));
    await audit.append({ type: AuditEvents.incidentScoped, at: new Date().toISOString(), actor: 'cli', object: o.id, count: String(r.subjects.length), method: 'cli' });
    out.write(`${JSON.stringify(r)}\n`);
  });
}

export async function runIncidentPropose(loaded: LoadedConfig, o: { id: string; kind: string; masterVersion?: string; dataKeys?: string }, out: NodeJS.WritableStream): Promise<string> {
  if (!(ACTION_KINDS as readonly string[]).includes(o.kind)) throw new IncidentCommandError(`--kind must be one of ${ACTION_KINDS.join(', ')}`);
  const kind = o.kind as ActionKind;
  if (kind === 'revoke_master' && !/^v[0-9]{1,6}$/.test(o.masterVersion ?? '')) throw new IncidentCommandError('--master-version is required (v1, v2, ...)');
  if (kind === 'replace_keys' && !csv(o.dataKeys).length) throw new IncidentCommandError('--data-keys is required');
  return withIncidents(loaded, async ({ incidents, audit }) => {
    const inc = await incidents.get(o.id);
    if (!inc) throw new IncidentCommandError('no such incident');
    if (kind === 'notify' && !inc.scope) throw new IncidentCommandError('run `incident scope` first: notification goes to the scoped subjects');
    const now = new Date().toISOString();
    const a = await incidents.propose({
      incident: o.id, kind, params: { ...(o.masterVersion ? { masterVersion: o.masterVersion } : {}), ...(o.dataKeys ? { dataKeys: csv(o.dataKeys) } : {}) },
      proposedBy: 'cli', via: 'cli', proposedAt: now,
    });
    await audit.append({ type: AuditEvents.incidentActionProposed, at: now, actor: 'cli', object: a.id, purpose: kind, method: 'cli' });
    out.write(`proposed ${a.id} (${kind}); it runs only once an admin approves it in the compliance console\n`);
    return a.id;
  });
}

export function registerIncidentCommands(program: Command, config: () => LoadedConfig, fail: (message: string, code?: number) => never): void {
  const inc = program.command('incident').description('breach register: record, scope, propose four-eyes actions (approval only in the console)');
  const run = (fn: () => Promise<unknown>) => fn().then(() => undefined, (err: unknown) => {
    if (err instanceof IncidentCommandError) fail(err.message, err.exitCode);
    fail('the incident command failed', 1);
  });
  inc.command('open').description('record an incident; prints its id and the 72-hour deadline')
    .requiredOption('--title <text>', 'what happened (redacted before it is stored)')
    .requiredOption('--detected <time>', 'when it was detected (ISO 8601)')
    .requiredOption('--aware <time>', 'when we became aware (starts the 72-hour clock)')
    .option('--classes <list>', 'data classes: transcripts,handoff,state', 'transcripts')
    .option('--master-versions <list>', 'master key versions involved')
    .option('--data-keys <list>', 'data key ids involved')
    .action((o: { title: string; detected: string; aware: string; classes: string; masterVersions?: string; dataKeys?: string }) => run(() => runIncidentOpen(config(), o, process.stdout)));
  inc.command('list').description('the incident register').action(() => run(() => runIncidentList(config(), process.stdout)));
  inc.command('scope').description('affected subjects (pseudonymous) with counts, as JSON')
    .requiredOption('--id <id>', 'incident id').option('--from <time>').option('--to <time>').option('--master-version <v>').option('--data-keys <list>')
    .option('--classes <list>', 'transcripts,handoff,state', 'transcripts')
    .action((o: { id: string; from?: string; to?: string; masterVersion?: string; dataKeys?: string; classes: string }) => run(() => runIncidentScope(config(), o, process.stdout)));
  inc.command('propose').description('propose revoke_master | replace_keys | notify (a second admin approves in the console)')
    .requiredOption('--id <id>', 'incident id').requiredOption('--kind <kind>', ACTION_KINDS.join(' | '))
    .option('--master-version <v>').option('--data-keys <list>')
    .action((o: { id: string; kind: string; masterVersion?: string; dataKeys?: string }) => run(() => runIncidentPropose(config(), o, process.stdout)));
}
