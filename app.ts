/**
 * Builds a whole Trustline instance from validated configuration: stores, keys, guards, adapter, bot, routes.
 * `index.ts` calls it for the real process; tests call it in-process with their own configuration.
 */
import { ConversationState, MemoryStorage, type Storage } from 'botbuilder';
import type { DialogState } from 'botbuilder-dialogs';
import type restify from 'restify';
import type { DestinationStream } from 'pino';
import type { LoadedConfig } from './config.js';
import { createLogger, errorFields, type Logger } from './guards/log/logger.js';
import { initSodium } from './guards/crypto/sodium.js';
import { Pseudonymizer } from './guards/crypto/pseudonym.js';
import { DataKeyService } from './guards/crypto/dataKeys.js';
import { SecurityEventLimiter, envelopeChars, type SecurityEventSink } from './guards/crypto/securityEvents.js';
import { MemoryKeyStore, RedisKeyStore, type KeyStore } from './guards/crypto/keyStore.js';
import { connectRedis, type ManagedRedis } from './guards/storage/redisClient.js';
import { RedisStorage } from './guards/storage/redisStorage.js';
import { BotStateOwnerResolver, EncryptedStorage } from './guards/storage/encryptedStorage.js';
import { installGuards } from './guards/index.js';
import { createDefaultRedactor, type EntityType, type OperatorName, type Redactor, type TagState } from './guards/pii/index.js';
import { EncryptedTranscriptStore, MemoryHashBackend, RedisHashBackend } from './guards/transcripts/transcriptStore.js';
import { TranscriptGuard } from './guards/transcripts/transcriptGuard.js';
import { createHmac } from 'node:crypto';
import { createAdapter, type TrustlineAdapter } from './bots/adapter.js';
import { createOnTurnError } from './bots/onTurnError.js';
import { CustomerServiceBot } from './bots/customerServiceBot.js';
import { MainDialog, type ConversationData } from './dialogs/mainDialog.js';
import { systemClock, type Clock } from './dialogs/clock.js';
import { warmUpPromptRecognizers } from './dialogs/parsing.js';
import { JsonFileDirectory, type CustomerDirectory } from './directory/customerDirectory.js';
import { HttpCrmDirectory } from './directory/httpCrmDirectory.js';
import { buildIdentityPolicy } from './guards/identity/policy.js';
import { MemorySubjectIndex, RedisSubjectIndex, SubjectOwnerResolver, type SubjectIndex } from './guards/identity/subjectIndex.js';
import { MemoryOtpStore, RedisOtpStore, type OtpStore } from './guards/identity/otpStore.js';
import { DeliveryQueue, HttpSmsSender, OutboxFileSender, SmtpEmailSender, type CodeSender, type DeliveryChannel } from './guards/identity/delivery.js';
import { OtpService } from './guards/identity/otpService.js';
import { HostTokenVerifier, MemoryReplayGuard, RedisReplayGuard } from './guards/identity/hostToken.js';
import { IdentityGuard, IdentityService, type IdentityState } from './guards/identity/identityGuard.js';
import { AUDIT_STREAM_KEY, AuditEvents, MemoryAuditLog, RedisStreamAuditLog, type AuditLog, type ChainedAuditLog } from './guards/audit/auditLog.js';
import { ConsentGuard, ConsentLedger, ConsentOwnerResolver, type ConsentState } from './guards/consent/consentGuard.js';
import { loadPrivacyNotice } from './notices/index.js';
import { langFromLocale } from './dialogs/language.js';
import { t } from './dialogs/messages.js';
import { createHttpServer } from './http/server.js';
import { InFlight } from './http/requestContext.js';
import { Metrics, countAuditedLocks, listenMetrics, mountMetrics } from './http/metrics.js';
import { mountDirectLineToken } from './http/directline.js';
import type { Server as NodeHttpServer } from 'node:http';
import { mountLocalChannel, type LocalChannel } from './channels/local/index.js';
import { createHandoff, type HandoffRuntime } from './handoff/index.js';
import { MemoryDsrLedger, RedisDsrLedger } from './guards/dsr/ledger.js';
import { SubjectDataRegistry } from './guards/dsr/sources.js';
import { DsrService } from './guards/dsr/service.js';
import { article15Facts } from './guards/dsr/facts.js';
import { MemoryErasureJobStore, MemoryExportLinkStore, MemoryOptOutStore, RedisErasureJobStore, RedisExportLinkStore, RedisOptOutStore } from './guards/dsr/stores.js';
import { consentSource, conversationStateSource, exportLinkSource, optOutSource, otpSource, perConversationSource, transcriptSource } from './guards/dsr/storeSources.js';
import { mountExport } from './http/export.js';
import { TurnKeys } from './guards/turnState.js';
import { createCompliance, type ComplianceRuntime } from './compliance/index.js';

export interface AppOptions {
  logDestination?: DestinationStream;
  clock?: Clock;
}

export interface App {
  server: restify.Server;
  log: Logger;
  adapter: TrustlineAdapter;
  storage: Storage;
  keys: DataKeyService;
  transcripts: EncryptedTranscriptStore;
  redactor: Redactor;
  transcriptGuard: TranscriptGuard;
  pseudonyms: Pseudonymizer;
  /** Identity and consent parts, for operations and tests. */
  identity: { service: IdentityService; otp: OtpService; otpStore: OtpStore; delivery: DeliveryQueue; index: SubjectIndex; audit: AuditLog; directory: CustomerDirectory; consent: ConsentGuard };
  /** Prometheus metrics (http/metrics.ts): other parts report verification locks and the queue length here. */
  metrics: Metrics;
  /** Base URL of the separate metrics listener (METRICS_PORT), once listening. */
  metricsUrl(): string | undefined;
  /** Human handoff and the staff surface (needs Redis; undefined without it or when HANDOFF_ENABLED=false). */
  handoff: HandoffRuntime | undefined;
  /** Data-subject requests (issue 5): ledger, export, correction, erasure jobs, opt-out. */
  dsr: DsrService;
  /** Compliance console, incidents and retention (issue 7; needs Redis and the staff surface). */
  compliance: ComplianceRuntime | undefined;
  /** The hash-chained audit log. */
  audit: ChainedAuditLog;
  /** Every store that keeps something about a customer (export and erasure cover exactly these). */
  subjectData: SubjectDataRegistry;
  /** Listens on the configured host/port (port 0 = any free port); resolves to the base URL. */
  listen(): Promise<string>;
  url(): string;
  close(): Promise<void>;
  isReady(): boolean;
}

export async function createApp(loaded: LoadedConfig, opts: AppOptions = {}): Promise<App> {
  const { config, secrets } = loaded;
  // Keys from Key Vault are fetched by resolveKeys (index.ts) first; without them nothing may be built (CR-7).
  if (loaded.pendingKeyVault) throw new Error('keys not loaded: resolveKeys must run before createApp');
  await initSodium();
  const log = createLogger({ level: config.logLevel, instance: config.instance, ...(opts.logDestination ? { destination: opts.logDestination } : {}) });
  if (config.ops.testStubs) log.warn({ production: config.profile === 'production' }, 'config.test_stubs: Microsoft endpoints are replaced by loopback test stubs; a production-profile instance never reports ready');
  const clock = opts.clock ?? systemClock;
  if (loaded.generatedDevKeyFile) {
    log.warn({ file: loaded.generatedDevKeyFile }, 'config.dev_keys.generated: DEVELOPMENT KEYS WERE GENERATED into this file (mode 0600). Never use them in production; losing the file makes stored development data unreadable.');
  }

  const jsonDirectory = new JsonFileDirectory(config.customerDirectoryFile);
  const directory: CustomerDirectory = config.identity.crm
    ? new HttpCrmDirectory({ baseUrl: config.identity.crm.baseUrl, token: secrets.crmToken, timeoutMs: config.identity.crm.timeoutMs })
    : jsonDirectory;
  const pseudonyms = new Pseudonymizer(secrets.keyNameKey);

  let data: ManagedRedis | undefined;
  let keystore: ManagedRedis | undefined;
  let inner: Storage;
  let keyStore: KeyStore;
  if (config.redisUrl) {
    const common = { connectTimeoutMs: config.redisConnectTimeoutMs, commandTimeoutMs: config.redisCommandTimeoutMs, log };
    const tls = { ca: config.ops.redis.tls.ca, cert: config.ops.redis.tls.cert, key: secrets.redisTlsKey || undefined };
    data = await connectRedis({ url: config.redisUrl, name: 'data', ...common, tls, username: config.ops.redis.username, password: secrets.redisPassword || undefined, cluster: config.redisCluster });
    keystore = await connectRedis({ url: config.keystoreRedisUrl ?? config.redisUrl, name: 'keystore', ...common, tls, username: config.ops.redis.keystoreUsername, password: secrets.keystoreRedisPassword || undefined, cluster: config.keystoreRedisCluster });
    if (config.keystoreRedisUrl === config.redisUrl) log.warn('config.keystore.shared: the key store shares the data Redis (development only: snapshots then hold the keys that open them)');
    inner = new RedisStorage(data.commands, { prefix: 'tl:state:', keyName: (k) => pseudonyms.hash('state', k), ttlSeconds: config.retention.stateSeconds, maxValueChars: envelopeChars(config.maxEnvelopeBytes) });
    keyStore = new RedisKeyStore(keystore.commands, config.retention.keySeconds);
  } else {
    log.info('storage.embedded: no REDIS_URL, using the in-process store (development; data is lost on restart)');
    inner = new MemoryStorage();
    keyStore = new MemoryKeyStore();
  }
  // Fail-closed crypto events of every sealed data class (guards/crypto/securityEvents.ts) are logged at once and
  // appended to the audit chain (once it exists, below), rate-limited so that planted values cannot flood the chain.
  let securityAudit: AuditLog | undefined;
  const SECURITY_TYPES = { 'crypto.tamper': AuditEvents.securityTamper, 'crypto.key_destroyed': AuditEvents.securityKeyDestroyed, 'crypto.oversize': AuditEvents.securityOversize } as const;
  const securityLimiter = new SecurityEventLimiter();
  const onSecurityEvent: SecurityEventSink = (event, detail) => {
    log.warn({ code: detail.code, dataClass: detail.dataClass }, `security.${event}`);
    const now = clock.now();
    const n = securityLimiter.admit(event, detail, now);
    if (n === undefined) return;
    securityAudit?.append({
      type: SECURITY_TYPES[event], at: new Date(now).toISOString(), outcome: detail.code, ...(detail.owner ? { object: detail.owner } : {}),
      ...(detail.dataClass ? { dataClass: detail.dataClass } : {}), ...(n > 1 ? { count: String(n) } : {}),
    }).catch(() => log.warn({ code: 'ERR_AUDIT_APPEND_FAILED' }, 'security.audit_failed'));
  };
  const keys = new DataKeyService(keyStore, secrets.masterKeys, secrets.activeMasterVersion, { clock, onSecurityEvent });
  const owners = new BotStateOwnerResolver(pseudonyms);
  // Identity (DESIGN.md invariants 3-5): the subject index decides which key seals a conversation's state.
  const subjectIndex: SubjectIndex = data
    ? new RedisSubjectIndex(data.commands, data.raw, pseudonyms, { subjectTtlSeconds: config.retention.keySeconds, linkTtlSeconds: config.retention.stateSeconds })
    : new MemorySubjectIndex();
  const subjectOwners = new SubjectOwnerResolver(pseudonyms, subjectIndex);
  const storage = new EncryptedStorage(inner, keys, subjectOwners, { maxEnvelopeBytes: config.maxEnvelopeBytes, onSecurityEvent });
  // Hash-chained (guards/audit): the chain key is the audit purpose key, never stored in Redis.
  const audit: AuditLog & ChainedAuditLog = data ? new RedisStreamAuditLog(data.raw, AUDIT_STREAM_KEY, { chainKey: secrets.auditKey, instance: config.instance }) : new MemoryAuditLog({ chainKey: secrets.auditKey, instance: config.instance });
  securityAudit = audit;
  const otpStore: OtpStore = data ? new RedisOtpStore(data.commands, undefined, { onSecurityEvent }) : new MemoryOtpStore();
  const senders: Partial<Record<DeliveryChannel, CodeSender>> = {};
  const idc = config.identity;
  const smtp = idc.smtp ? new SmtpEmailSender({ url: idc.smtp.url, from: idc.smtp.from, password: secrets.smtpPassword || undefined, requireTls: idc.smtp.requireTls }) : undefined;
  if (smtp) senders.email = smtp;
  if (idc.sms) senders.sms = new HttpSmsSender({ url: idc.sms.url, token: secrets.smsToken, sender: idc.sms.sender });
  if (!smtp && !idc.sms && idc.outboxFile) {
    // Development without SMTP or SMS: codes go to the local outbox file (README, "Verification").
    const outbox = new OutboxFileSender(idc.outboxFile, () => clock.now());
    senders.email = outbox;
    senders.sms = outbox;
    log.warn('identity.outbox_file: one-time codes are written to the local outbox file (development only)');
  }
  const delivery = new DeliveryQueue(senders, log);
  const otp = new OtpService({ directory, store: otpStore, delivery, pseudonyms, codeHashKey: secrets.codeHashKey, digits: idc.otp.digits, ttlSeconds: idc.otp.ttlSeconds });
  const identityPolicy = buildIdentityPolicy({ freshness: idc.freshness, methods: idc.methods, idleMinutes: idc.idleMinutes, absoluteMinutes: idc.absoluteMinutes });
  const notice = loadPrivacyNotice(config.consent.noticeVersion);

  const conversationState = new ConversationState(storage);
  const consentStorage = new EncryptedStorage(
    data ? new RedisStorage(data.commands, { prefix: 'tl:consent:', keyName: (k) => pseudonyms.hash('consent', k), ttlSeconds: config.retention.keySeconds, maxValueChars: envelopeChars(config.maxEnvelopeBytes) }) : new MemoryStorage(),
    keys, new ConsentOwnerResolver(pseudonyms), { maxEnvelopeBytes: config.maxEnvelopeBytes, onSecurityEvent, dataClass: 'consent' },
  );
  const consentLedger = new ConsentLedger(consentStorage);
  // Data-subject requests (issue 5): every store registers as a subject data source (more below, once built).
  const subjectData = new SubjectDataRegistry();
  const optOuts = data ? new RedisOptOutStore(data.raw, config.retention.keySeconds, { onSecurityEvent }) : new MemoryOptOutStore();
  const exportLinks = data ? new RedisExportLinkStore(data.raw, { onSecurityEvent }) : new MemoryExportLinkStore();
  let baseUrl = '';
  const dsr = new DsrService({
    ledger: data ? new RedisDsrLedger(data.raw, config.dsr.recordSeconds, { onSecurityEvent }) : new MemoryDsrLedger(),
    registry: subjectData, index: subjectIndex, keys, pseudonyms, directory, audit, optOuts, links: exportLinks,
    jobs: data ? new RedisErasureJobStore(data.raw, { onSecurityEvent }) : new MemoryErasureJobStore(),
    facts: article15Facts({ ...config.retention, handoffSeconds: config.handoff.retentionSeconds, requestSeconds: config.dsr.recordSeconds }),
    log, now: () => clock.now(), linkTtlMs: config.dsr.exportLinkMinutes * 60_000, baseUrl: () => config.publicBaseUrl ?? baseUrl,
    jobTtlSeconds: config.dsr.recordSeconds, stepPauseMs: config.dsr.eraseStepPauseMs, forgetConversation: (c) => subjectOwners.forget(c),
    ...(config.dsr.keystoreAofRewrite && keystore ? { keystoreAofRewrite: async () => { await keystore!.eachMaster((node) => node.bgRewriteAof()); } } : {}),
  });
  subjectData.register(conversationStateSource(storage));
  subjectData.register(consentSource(consentStorage));
  let consentGuard: ConsentGuard | undefined;
  const identity = new IdentityService({
    accessor: conversationState.createProperty<IdentityState>('identity'), pseudonyms, index: subjectIndex, resolver: subjectOwners,
    directory, audit, policy: identityPolicy, now: () => clock.now(), log,
    onVerified: async (ctx, subject) => {
      await consentGuard?.linkSubject(ctx, subject);
      // The storage keys and owners of this turn belong to the subject from now on (export and erasure find them).
      const cn = identity.session(ctx)?.customerNumber;
      const a = ctx.activity;
      const channel = String(a.channelId ?? '');
      const user = String(a.from?.id ?? '');
      if (cn) {
        await dsr.remember(cn, subject, [
          { kind: 'state', key: `${channel}/conversations/${String(a.conversation?.id ?? '')}/` },
          { kind: 'consentUser', key: ConsentLedger.userKey(channel, user) },
          { kind: 'userOwner', key: pseudonyms.userOwner(channel, user) },
        ]);
      }
    },
  });
  consentGuard = new ConsentGuard({
    accessor: conversationState.createProperty<ConsentState>('consent'), state: conversationState, ledger: consentLedger, notice, pseudonyms, audit, log,
    now: () => clock.now(), ...(config.consent.preset ? { preset: config.consent.preset } : {}), subjectOf: (ctx) => identity.currentSubject(ctx),
  });
  const hostTokens = idc.hostToken ? new HostTokenVerifier(idc.hostToken, data ? new RedisReplayGuard(data.commands, pseudonyms) : new MemoryReplayGuard(() => clock.now()), { now: () => clock.now() }) : undefined;
  const identityGuard = new IdentityGuard({
    service: identity, directory, audit, log, ...(hostTokens ? { hostTokens } : {}),
    ...(idc.teams ? { teamsSso: { storage: data ? new RedisStorage(data.commands, { prefix: 'tl:sso:', keyName: (k) => pseudonyms.hash('sso', k), ttlSeconds: 900 }) : new MemoryStorage(), connectionName: idc.teams.connectionName } } : {}),
    onHostIdentity: async (ctx, ok) => { await ctx.sendActivity(t(ok ? 'verifyHostOk' : 'verifyHostFailed', langFromLocale(ctx.activity.locale) ?? 'en')); },
  });
  const main = new MainDialog(
    conversationState.createProperty<DialogState>('dialogState'),
    conversationState.createProperty<ConversationData>('conversation'),
    clock,
    {
      identity, directory, audit, otp, dsr, ...(idc.teams ? { teamsConnection: idc.teams.connectionName } : {}),
      // The erased conversation starts afresh: its state is gone and this turn leaves no transcript behind.
      afterErasure: async (ctx) => {
        await conversationState.delete(ctx);
        ctx.turnState.set(TurnKeys.consent, { transcripts: false });
      },
    },
  );
  const bot = new CustomerServiceBot(conversationState, main);
  const adapter = createAdapter(config, secrets);
  adapter.onTurnError = createOnTurnError(log);

  // The PII engine: keyed-hash operator and tag numbering use the PII purpose key (separated by domain).
  const redactor = createDefaultRedactor({
    operators: config.piiOperators as Partial<Record<EntityType, OperatorName>>,
    hashKey: secrets.piiHashKey,
    tagKey: createHmac('sha256', Buffer.from(secrets.piiHashKey)).update('trustline.pii.tags').digest(),
  });
  const transcripts = new EncryptedTranscriptStore(data ? new RedisHashBackend(data.raw) : new MemoryHashBackend(), keys, {
    ttlSeconds: config.retention.transcriptSeconds, maxEnvelopeBytes: config.maxEnvelopeBytes,
  });
  const transcriptGuard = new TranscriptGuard({
    store: transcripts, redactor, pseudonyms, owners, log,
    tagState: conversationState.createProperty<TagState>('transcriptTags'),
    defaultKeep: config.keepTranscripts,
  });
  // Human handoff (slot 3): the queue and the relay are shared through Redis, so there is none without it.
  const handoff = data && config.handoff.enabled
    ? createHandoff({ config, redis: data.raw, keys, pseudonyms, owners, transcripts, redactor, audit, adapter, log, now: () => clock.now() })
    : undefined;
  if (!handoff && config.handoff.enabled) log.info('handoff.disabled: no REDIS_URL (the queue is shared through Redis)');
  subjectData.register(transcriptSource(transcripts));
  subjectData.register(otpSource(data?.raw, (cn) => otp.accountOfCustomer(cn)));
  subjectData.register(exportLinkSource(exportLinks));
  subjectData.register(optOutSource(optOuts));
  // Handoff records (queue entry, relayed messages, reveals) are per conversation (handoff/store.ts).
  if (handoff) subjectData.register(perConversationSource('handoff', handoff.store));
  installGuards(adapter, { transcript: transcriptGuard, consent: consentGuard, ...(handoff ? { handoff: handoff.guard } : {}), identity: identityGuard });
  // Compliance (issue 7): contact references for breach notices, the console, incidents, retention sweep.
  const compliance = data && handoff
    ? createCompliance({ config, redis: data.raw, keyStore, keys, pseudonyms, audit, auditKey: secrets.auditKey, transcripts, handoffStore: handoff.store, ledger: dsr.ledger, index: subjectIndex, redactor, adapter, log, now: () => clock.now() })
    : undefined;
  if (compliance) {
    adapter.use(compliance.contacts.middleware());
    subjectData.register(compliance.contacts.source());
  }
  const logic = (context: Parameters<typeof bot.run>[0]) => bot.run(context);

  let ready = false;
  let closing = false;
  let resuming: Promise<number> | undefined;
  let warmupMs = 0;
  const inflight = new InFlight();
  const metrics = new Metrics({
    redactionFailures: () => transcriptGuard.droppedEntries,
    redis: (): Record<string, boolean> => (data && keystore ? { data: data.isReady(), keystore: keystore.isReady() } : {}),
    inflight: () => inflight.count,
    ...(handoff ? { queueLength: () => handoff.store.queueLength() } : {}),
  }, { instance: config.instance });
  // Every lock-out is an audit event (verification dialog): the counter follows the chain.
  countAuditedLocks(audit, metrics);
  // Test stubs in production: never ready, so no load balancer ever sends customers to such an instance.
  const stubbedProduction = config.profile === 'production' && config.ops.testStubs;
  const server = createHttpServer({
    log, adapter, logic, production: config.profile === 'production', inflight,
    onRequest: (outcome, seconds) => metrics.turn(outcome, seconds),
    readiness: {
      ready: () => ready && !stubbedProduction,
      details: () => ({ redis: data ? (data.isReady() ? 'up' : 'down') : 'embedded', keystore: keystore ? (keystore.isReady() ? 'up' : 'down') : 'embedded', warmupMs: Math.round(warmupMs) }),
    },
  });

  mountMetrics(server, metrics, { mainPort: config.ops.metrics.mainPort, token: secrets.metricsToken });
  const dl = config.ops.directLine;
  if (dl) {
    mountDirectLineToken(server, {
      baseUrl: dl.baseUrl, secret: secrets.directLineSecret, trustedOrigins: dl.trustedOrigins, ratePerMinute: dl.tokenRatePerMinute,
      trustedProxyHops: config.ops.trustedProxyHops, log, onOutcome: (o) => metrics.directLineToken(o),
    });
  }
  handoff?.mount(server, compliance ? { extraHandlers: compliance.handlers } : {});
  mountExport(server, { dsr, log });
  let metricsServer: NodeHttpServer | undefined;
  let metricsBase: string | undefined;

  let local: LocalChannel | undefined;
  if (config.localChatEnabled) {
    local = mountLocalChannel(server, { adapter, logic, log, connectorBaseUrl: () => `${baseUrl}/local/connector` });
  }

  // Warm-up runs after listen so /healthz answers during it; /readyz turns 200 once it is done.
  const warmUp = async () => {
    try {
      warmupMs = warmUpPromptRecognizers() + redactor.warmUp().ms;
      ready = true;
      log.info({ warmupMs: Math.round(warmupMs), customers: jsonDirectory.size }, 'app.ready');
    } catch (err) {
      log.error({ err: errorFields(err) }, 'app.warmup_failed');
    }
  };

  return {
    server, log, adapter, storage, keys, pseudonyms, transcripts, redactor, transcriptGuard,
    identity: { service: identity, otp, otpStore, delivery, index: subjectIndex, audit, directory, consent: consentGuard },
    metrics,
    handoff,
    dsr,
    compliance,
    audit,
    subjectData,
    metricsUrl: () => metricsBase,
    isReady: () => ready,
    url: () => baseUrl,
    async listen() {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.port, config.host, () => resolve());
      });
      const addr = server.address();
      baseUrl = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${addr.port}`;
      if (config.host === '0.0.0.0') baseUrl = `http://127.0.0.1:${addr.port}`;
      if (config.ops.metrics.port !== undefined) {
        const host = config.ops.metrics.host ?? config.host;
        metricsServer = await listenMetrics(metrics, { port: config.ops.metrics.port, host, token: secrets.metricsToken });
        const mAddr = metricsServer.address();
        const mPort = typeof mAddr === 'object' && mAddr ? mAddr.port : config.ops.metrics.port;
        metricsBase = `http://${host === '0.0.0.0' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host}:${mPort}`;
      }
      await handoff?.start();
      compliance?.start();
      // Erasures confirmed but interrupted (crash, kill -9) resume now; the ledger's steps make each run once.
      resuming = dsr.resumeUnfinished({ stopped: () => closing }).catch((err: unknown) => { log.error({ err: errorFields(err) }, 'guards.dsr.resume_failed'); return 0; });
      void warmUp();
      return baseUrl;
    },
    async close() {
      // Graceful: long-lived local chat streams end first; then no new connections, new requests on kept-alive
      // ones get 503 (readiness says stopping), turns in flight finish (up to SHUTDOWN_TIMEOUT_MS), then Redis closes.
      closing = true;
      await local?.close();
      await handoff?.close();
      compliance?.stop();
      await resuming;
      const drained = inflight.drain(config.ops.shutdownTimeoutMs);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.server.closeIdleConnections();
      if (!(await drained)) log.warn({ inflight: inflight.count }, 'app.shutdown.drain_timeout');
      await new Promise((r) => setImmediate(r));
      server.server.closeIdleConnections();
      const force = setTimeout(() => server.server.closeAllConnections(), 1000);
      force.unref();
      await closed;
      clearTimeout(force);
      if (metricsServer) await new Promise<void>((r) => { metricsServer!.close(() => r()); metricsServer!.closeAllConnections(); });
      await delivery.idle();
      smtp?.close();
      await data?.close();
      await keystore?.close();
      log.flush?.();
    },
  };
}
