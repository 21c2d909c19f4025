/**
 * Builds the compliance side from configuration so the composition root only wires it: contact references (breach
 * notices), breach scoping, the incident register, the retention sweep and the console's staff handlers.
 */
import type { RedisClientType } from 'redis';
import type { AppConfig } from '../config.js';
import type { TrustlineAdapter } from '../bots/adapter.js';
import type { ChainedAuditLog } from '../guards/audit/auditLog.js';
import type { DataKeyService } from '../guards/crypto/dataKeys.js';
import type { KeyStore } from '../guards/crypto/keyStore.js';
import type { Pseudonymizer } from '../guards/crypto/pseudonym.js';
import type { DsrLedger } from '../guards/dsr/ledger.js';
import type { SubjectIndex } from '../guards/identity/subjectIndex.js';
import type { Logger } from '../guards/log/logger.js';
import { errorFields } from '../guards/log/logger.js';
import type { Redactor } from '../guards/pii/index.js';
import type { EncryptedTranscriptStore } from '../guards/transcripts/transcriptStore.js';
import type { HandoffStore } from '../handoff/store.js';
import type { StaffHandler, StaffHandlerKit } from '../staff/routes.js';
import { ContactRefStore } from './contacts.js';
import { BreachScope } from './scope.js';
import { IncidentStore } from './incidents.js';
import { RetentionSweep } from './retention.js';
import { ComplianceService, COMPLIANCE_EVENTS } from './service.js';
import { complianceHandlers } from './routes.js';

export { ComplianceService } from './service.js';
export { BreachScope } from './scope.js';

export interface ComplianceDepsIn {
  config: Readonly<AppConfig>;
  redis: RedisClientType;
  keyStore: KeyStore;
  keys: DataKeyService;
  pseudonyms: Pseudonymizer;
  audit: ChainedAuditLog;
  auditKey: Uint8Array;
  transcripts: EncryptedTranscriptStore;
  handoffStore?: HandoffStore;
  ledger: DsrLedger;
  index: SubjectIndex;
  redactor: Redactor;
  adapter: TrustlineAdapter;
  log: Logger;
  now: () => number;
}

export interface ComplianceRuntime {
  service: ComplianceService;
  contacts: ContactRefStore;
  scope: BreachScope;
  retention: RetentionSweep;
  handlers: (kit: StaffHandlerKit) => Record<string, StaffHandler>;
  start(): void;
  stop(): void;
}

export function createCompliance(d: ComplianceDepsIn): ComplianceRuntime {
  const c = d.config;
  const contacts = new ContactRefStore({ redis: d.redis, keys: d.keys, pseudonyms: d.pseudonyms, ttlSeconds: c.retention.stateSeconds, maxEnvelopeBytes: c.maxEnvelopeBytes, log: d.log });
  const scope = new BreachScope({ redis: d.redis, keyStore: d.keyStore, keys: d.keys, maxEnvelopeBytes: c.maxEnvelopeBytes });
  const retention = new RetentionSweep({
    redis: d.redis, transcripts: d.transcripts, audit: d.audit, now: d.now, instance: c.instance,
    policy: {
      stateSeconds: c.retention.stateSeconds, transcriptSeconds: c.retention.transcriptSeconds, consentSeconds: c.retention.keySeconds,
      requestSeconds: c.dsr.recordSeconds, handoffSeconds: c.handoff.retentionSeconds, auditSeconds: c.compliance.auditRetentionSeconds, sweepMinutes: c.compliance.sweepMinutes,
    },
  });
  const service = new ComplianceService({
    redis: d.redis, audit: d.audit, auditKey: d.auditKey, transcripts: d.transcripts, ...(d.handoffStore ? { handoffStore: d.handoffStore } : {}), ledger: d.ledger,
    keys: d.keys, scope, incidents: new IncidentStore(d.redis, c.dsr.recordSeconds), contacts, index: d.index, redactor: d.redactor, adapter: d.adapter,
    botAppId: c.bot.appId, retention, maxEnvelopeBytes: c.maxEnvelopeBytes, log: d.log, now: d.now,
  });
  return {
    service, contacts, scope, retention,
    handlers: (kit) => complianceHandlers(service, kit),
    start() { retention.start((err) => d.log.warn({ err: errorFields(err) }, COMPLIANCE_EVENTS.sweepFailed)); },
    stop() { retention.stop(); },
  };
}
