/**
 * Builds the human handoff and the staff surface from configuration, so the composition root only wires it:
 * store + relay + service + guard (slot 3 of the pipeline) + staff accounts, sessions, throttle and routes.
 */
import type restify from 'restify';
import type { RedisClientType } from 'redis';
import type { TurnContext } from 'botbuilder';
import type { AppConfig } from '../config.js';
import type { TrustlineAdapter } from '../bots/adapter.js';
import type { Logger } from '../guards/log/logger.js';
import type { DataKeyService } from '../guards/crypto/dataKeys.js';
import type { Pseudonymizer } from '../guards/crypto/pseudonym.js';
import type { OwnerResolver } from '../guards/storage/encryptedStorage.js';
import type { ProfileValues, Redactor } from '../guards/pii/index.js';
import type { EncryptedTranscriptStore } from '../guards/transcripts/transcriptStore.js';
import type { AuditLog } from '../guards/audit/auditLog.js';
import { HandoffStore } from './store.js';
import { RedisRelayBus } from './relay.js';
import { HandoffService } from './service.js';
import { HandoffGuard } from './handoffGuard.js';
import { StaffAccounts } from '../staff/accounts.js';
import { StaffSessions } from '../staff/sessions.js';
import { LoginThrottle } from '../staff/throttle.js';
import { mountStaffRoutes, type MountedStaffRoutes, type StaffRouteDeps } from '../staff/routes.js';

export { HandoffStore } from './store.js';
export { HandoffService } from './service.js';
export { HandoffGuard, HANDOFF_SERVICE } from './handoffGuard.js';

export interface HandoffDeps {
  config: Readonly<AppConfig>;
  redis: RedisClientType;
  keys: DataKeyService;
  pseudonyms: Pseudonymizer;
  owners: OwnerResolver;
  transcripts: EncryptedTranscriptStore;
  redactor: Redactor;
  audit: AuditLog;
  adapter: TrustlineAdapter;
  log: Logger;
  now: () => number;
  profileOf?: (context: TurnContext) => Promise<ProfileValues | undefined>;
}

export interface HandoffRuntime {
  service: HandoffService;
  guard: HandoffGuard;
  store: HandoffStore;
  accounts: StaffAccounts;
  sessions: StaffSessions;
  /** Mounts the staff pages and API on the server (with other features' staff handlers, e.g. the compliance console). */
  mount(server: restify.Server, extra?: Pick<StaffRouteDeps, 'extraHandlers'>): void;
  /** Subscribes to the relay and starts the offer sweeper (after listen). */
  start(): Promise<void>;
  close(): Promise<void>;
}

export function createHandoff(d: HandoffDeps): HandoffRuntime {
  const c = d.config;
  const store = new HandoffStore({ redis: d.redis, keys: d.keys, retentionSeconds: c.handoff.retentionSeconds, maxEnvelopeBytes: c.maxEnvelopeBytes });
  const bus = new RedisRelayBus(d.redis, d.log);
  const service = new HandoffService({
    store, bus, adapter: d.adapter, botAppId: c.bot.appId, redactor: d.redactor, pseudonyms: d.pseudonyms, owners: d.owners, transcripts: d.transcripts,
    audit: d.audit, log: d.log, now: d.now, offerAfterSeconds: c.handoff.offerAfterSeconds, minutesPerCustomer: c.handoff.minutesPerCustomer,
    revealableTypes: c.handoff.revealableTypes, defaultKeep: c.keepTranscripts,
  });
  const guard = new HandoffGuard({ service, ...(d.profileOf ? { profileOf: d.profileOf } : {}) });
  const accounts = new StaffAccounts({ redis: d.redis, keys: d.keys, pseudonyms: d.pseudonyms, totpIssuer: c.staff.totpIssuer, now: d.now });
  const sessions = new StaffSessions(d.redis, d.now);
  const throttle = new LoginThrottle(d.redis, d.pseudonyms, { maxFailures: c.staff.loginMaxFailures, windowSeconds: c.staff.loginWindowSeconds });
  let routes: MountedStaffRoutes | undefined;
  return {
    service, guard, store, accounts, sessions,
    mount(server, extra) {
      routes = mountStaffRoutes(server, { accounts, sessions, throttle, handoff: service, bus, audit: d.audit, log: d.log, config: c.staff, now: d.now, ...extra });
    },
    async start() {
      await bus.start();
      service.startSweeper(c.handoff.sweepSeconds);
    },
    async close() {
      service.stopSweeper();
      routes?.close();
      await bus.close();
    },
  };
}
