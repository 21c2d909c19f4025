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
import { JsonFileDirectory } from './directory/customerDirectory.js';
import { createHttpServer } from './http/server.js';
import { mountLocalChannel, type LocalChannel } from './channels/local/index.js';

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
  /** Listens on the configured host/port (port 0 = any free port); resolves to the base URL. */
  listen(): Promise<string>;
  url(): string;
  close(): Promise<void>;
  isReady(): boolean;
}

export async function createApp(loaded: LoadedConfig, opts: AppOptions = {}): Promise<App> {
  const { config, secrets } = loaded;
  await initSodium();
  const log = createLogger({ level: config.logLevel, instance: config.instance, ...(opts.logDestination ? { destination: opts.logDestination } : {}) });
  const clock = opts.clock ?? systemClock;
  if (loaded.generatedDevKeyFile) {
    log.warn({ file: loaded.generatedDevKeyFile }, 'config.dev_keys.generated: DEVELOPMENT KEYS WERE GENERATED into this file (mode 0600). Never use them in production; losing the file makes stored development data unreadable.');
  }

  const directory = new JsonFileDirectory(config.customerDirectoryFile);
  const pseudonyms = new Pseudonymizer(secrets.keyNameKey);

  let data: ManagedRedis | undefined;
  let keystore: ManagedRedis | undefined;
  let inner: Storage;
  let keyStore: KeyStore;
  if (config.redisUrl) {
    const common = { connectTimeoutMs: config.redisConnectTimeoutMs, commandTimeoutMs: config.redisCommandTimeoutMs, log };
    data = await connectRedis({ url: config.redisUrl, name: 'data', ...common });
    keystore = await connectRedis({ url: config.keystoreRedisUrl ?? config.redisUrl, name: 'keystore', ...common });
    if (config.keystoreRedisUrl === config.redisUrl) log.warn('config.keystore.shared: the key store shares the data Redis (development only: snapshots then hold the keys that open them)');
    inner = new RedisStorage(data.commands, { prefix: 'tl:state:', keyName: (k) => pseudonyms.hash('state', k), ttlSeconds: config.retention.stateSeconds });
    keyStore = new RedisKeyStore(keystore.commands, config.retention.keySeconds);
  } else {
    log.info('storage.embedded: no REDIS_URL, using the in-process store (development; data is lost on restart)');
    inner = new MemoryStorage();
    keyStore = new MemoryKeyStore();
  }
  const keys = new DataKeyService(keyStore, secrets.masterKeys, secrets.activeMasterVersion, { clock });
  const owners = new BotStateOwnerResolver(pseudonyms);
  const storage = new EncryptedStorage(inner, keys, owners, {
    maxEnvelopeBytes: config.maxEnvelopeBytes,
    onSecurityEvent: (event, detail) => log.warn({ code: detail.code }, `security.${event}`),
  });

  const conversationState = new ConversationState(storage);
  const main = new MainDialog(
    conversationState.createProperty<DialogState>('dialogState'),
    conversationState.createProperty<ConversationData>('conversation'),
    clock,
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
  installGuards(adapter, { transcript: transcriptGuard });
  const logic = (context: Parameters<typeof bot.run>[0]) => bot.run(context);

  let ready = false;
  let warmupMs = 0;
  const server = createHttpServer({
    log, adapter, logic, production: config.profile === 'production',
    readiness: {
      ready: () => ready,
      details: () => ({ redis: data ? (data.isReady() ? 'up' : 'down') : 'embedded', keystore: keystore ? (keystore.isReady() ? 'up' : 'down') : 'embedded', warmupMs: Math.round(warmupMs) }),
    },
  });

  let baseUrl = '';
  let local: LocalChannel | undefined;
  if (config.localChatEnabled) {
    local = mountLocalChannel(server, { adapter, logic, log, connectorBaseUrl: () => `${baseUrl}/local/connector` });
  }

  // Warm-up runs after listen so /healthz answers during it; /readyz turns 200 once it is done.
  const warmUp = async () => {
    try {
      warmupMs = warmUpPromptRecognizers() + redactor.warmUp().ms;
      ready = true;
      log.info({ warmupMs: Math.round(warmupMs), customers: directory.size }, 'app.ready');
    } catch (err) {
      log.error({ err: errorFields(err) }, 'app.warmup_failed');
    }
  };

  return {
    server, log, adapter, storage, keys, pseudonyms, transcripts, redactor, transcriptGuard,
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
      void warmUp();
      return baseUrl;
    },
    async close() {
      await local?.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // In-flight requests had their chance (graceful shutdown waits in index.ts); idle keep-alive sockets would
      // otherwise hold close() open for their whole timeout.
      server.server.closeIdleConnections();
      await closed;
      await data?.close();
      await keystore?.close();
      log.flush?.();
    },
  };
}
