/**
 * The ONLY reader of the environment (DESIGN.md section 2). Everything else receives a frozen `AppConfig` and a
 * separate `Secrets` object. Errors name settings, never their values.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';

export type Profile = 'development' | 'production';

export interface RetentionPolicy {
  /** Seconds each data class is kept after its last write (Redis TTL). */
  stateSeconds: number;
  transcriptSeconds: number;
  keySeconds: number;
}

/** Compliance (issue 7): audit retention and the retention sweep. */
export interface ComplianceConfig {
  /** Audit entries older than this leave the chain's head through a checkpoint (retention sweep). */
  auditRetentionSeconds: number;
  /** How often one instance runs the retention sweep (0 = never). */
  sweepMinutes: number;
}

export interface AppConfig {
  profile: Profile;
  port: number;
  host: string;
  instance: string;
  logLevel: string;
  redisUrl: string | undefined;
  keystoreRedisUrl: string | undefined;
  /** REDIS_URL / KEYSTORE_REDIS_URL name a seed node of a Redis Cluster (the rest is discovered). */
  redisCluster: boolean;
  keystoreRedisCluster: boolean;
  redisCommandTimeoutMs: number;
  redisConnectTimeoutMs: number;
  customerDirectoryFile: string;
  localChatEnabled: boolean;
  publicBaseUrl: string | undefined;
  maxEnvelopeBytes: number;
  retention: RetentionPolicy;
  keepTranscripts: boolean;
  /** Operator per entity type for transcripts and views (`replace` for any type not named). */
  piiOperators: Readonly<Record<string, string>>;
  bot: { appId: string; appType: 'MultiTenant' | 'SingleTenant' | 'UserAssignedMSI'; tenantId: string };
  /** Production operations (issue 8): channel auth endpoints, Direct Line, Redis TLS/ACL, metrics, shutdown. */
  ops: OpsConfig;
  devKeyFile: string | undefined;
  identity: IdentityConfig;
  consent: ConsentConfig;
  handoff: HandoffConfig;
  staff: StaffConfig;
  dsr: DsrConfig;
  compliance: ComplianceConfig;
}

/** Data-subject requests (issue 5). */
export interface DsrConfig {
  /** Lifetime of a single-use export link. */
  exportLinkMinutes: number;
  /** Ask the key store for BGREWRITEAOF after an erasure destroyed keys (its AOF then no longer holds them). */
  keystoreAofRewrite: boolean;
  /** Pause between erasure steps (load spreading; tests kill the bot mid-job with it). */
  eraseStepPauseMs: number;
  /** Retention of the PII-free request records (the proof a request was answered). */
  recordSeconds: number;
}

/** Human handoff: escalation queue, relay, reveal (handoff issue). Needs REDIS_URL (the queue is shared). */
export interface HandoffConfig {
  enabled: boolean;
  /** Offer a callback or an email when no agent took the conversation within this many seconds. */
  offerAfterSeconds: number;
  /** Rough handling time per waiting customer, for the wait estimate told to the customer. */
  minutesPerCustomer: number;
  /** TTL of every handoff record (queue entry, messages, tokens, reveals). */
  retentionSeconds: number;
  /** How often each instance looks for conversations waiting past the offer time. */
  sweepSeconds: number;
  /** Entity types an agent may reveal (reversible tokens); never CREDIT_CARD or OTP_CODE. */
  revealableTypes: readonly string[];
}

/** Staff login and sessions (handoff issue). */
export interface StaffConfig {
  /** Secure cookie with the __Host- prefix; only a development machine without TLS may turn it off. */
  cookieSecure: boolean;
  totpIssuer: string;
  /** Idle / absolute session limits (minutes): agents and supervisors, then compliance and admin. */
  agentIdleMinutes: number;
  agentAbsoluteMinutes: number;
  privilegedIdleMinutes: number;
  privilegedAbsoluteMinutes: number;
  /** Failed logins per account (and x4 per client address) within the window before logins are refused. */
  loginMaxFailures: number;
  loginWindowSeconds: number;
}

/** Verification methods, step-up policy and code delivery (identity issue). */
export interface IdentityConfig {
  /** `intent=minutes,...` overrides of the default freshness per protected intent. */
  freshness: string | undefined;
  /** `intent=method|method,...` overrides of the accepted methods per protected intent. */
  methods: string | undefined;
  idleMinutes: number;
  absoluteMinutes: number;
  otp: { digits: number; ttlSeconds: number };
  /** SMTP for email codes; unset = no email channel (development: outbox file). */
  smtp: { url: string; from: string; requireTls: boolean } | undefined;
  /** HTTP SMS provider; unset = no SMS channel (development: outbox file). */
  sms: { url: string; sender: string } | undefined;
  /** Development only: codes are appended here when no SMTP/SMS is configured. */
  outboxFile: string | undefined;
  /** Customer directory over HTTP (CRM); unset = the JSON file. */
  crm: { baseUrl: string; timeoutMs: number } | undefined;
  /** Signed identity from the retailer's host page (JWT verified with jose). */
  hostToken: { issuer: string; audience: string; jwksUrl: string; algorithms: string[]; clockSkewSeconds: number; maxAgeSeconds: number; subjectClaim: string; userClaim: string } | undefined;
  /** Teams SSO through the OAuth prompt. */
  teams: { connectionName: string; oAuthUrl: string | undefined } | undefined;
}

export interface ConsentConfig {
  /** The privacy notice version customers are asked about (notices/privacy). */
  noticeVersion: string | undefined;
  /** Development/tests only: treat every new conversation as having answered this (never in production). */
  preset: 'keep' | 'dont_keep' | undefined;
}

/** A master key version: wraps data keys. The active one wraps new keys; the others only unwrap. */
export interface MasterKey { version: string; key: Uint8Array }

export interface Secrets {
  appPassword: string;
  /** Redis ACL passwords (data store, key store), the Direct Line secret, the /metrics bearer token. */
  redisPassword: string;
  keystoreRedisPassword: string;
  directLineSecret: string;
  metricsToken: string;
  /** PEM private key for a Redis client certificate (optional). */
  redisTlsKey: string;
  masterKeys: readonly MasterKey[];
  activeMasterVersion: string;
  /** Purpose keys: long-lived, NOT derived from the master key (DESIGN.md invariant 3). */
  keyNameKey: Uint8Array;
  auditKey: Uint8Array;
  codeHashKey: Uint8Array;
  piiHashKey: Uint8Array;
  smtpPassword: string;
  smsToken: string;
  crmToken: string;
}

export interface LoadedConfig {
  config: Readonly<AppConfig>;
  secrets: Readonly<Secrets>;
  /** Set when development keys were generated on this start: the caller logs it loudly. */
  generatedDevKeyFile?: string;
  /**
   * TRUSTLINE_KEY_PROVIDER=keyvault: the keys are not loaded yet (secrets hold none). `resolveKeys`
   * (guards/crypto/keyProviders.ts) fetches them and returns the complete configuration; `createApp` refuses a
   * configuration that still has this set.
   */
  pendingKeyVault?: KeyVaultSource;
}

/** Where the master and purpose keys come from when TRUSTLINE_KEY_PROVIDER=keyvault (deployment/README.md). */
export interface KeyVaultSource {
  /** https://NAME.vault.azure.net (or a loopback test stub). */
  url: string;
  /** Secret names: `<prefix>-master-v<N>`, `<prefix>-master-active`, `<prefix>-keyname-key`, ... */
  prefix: string;
  /** Client id of a user-assigned managed identity; undefined = the system-assigned one. */
  managedIdentityClientId: string | undefined;
  timeoutMs: number;
  /** A loopback test stub (tests only): its challenge names no vault domain, so that check is skipped. */
  testStub: boolean;
}

export class ConfigError extends Error {
  readonly settings: string[];
  constructor(settings: string[], why: string) {
    super(`configuration: ${why}: ${settings.join(', ')}`);
    this.name = 'ConfigError';
    this.settings = settings;
  }
}

const intFrom = (def: number, min: number, max: number) =>
  z.preprocess((v) => (v === undefined || v === '' ? def : Number(v)), z.number().int().min(min).max(max));
const boolFrom = (def: boolean) =>
  z.preprocess((v) => (v === undefined || v === '' ? def : String(v).toLowerCase()), z.union([z.boolean(), z.enum(['true', '1', 'yes', 'false', '0', 'no']).transform((s) => ['true', '1', 'yes'].includes(s))]));
const optStr = z.preprocess((v) => (v === '' ? undefined : v), z.string().optional());

/**
 * Production operations settings (issue 8). Kept together so the production rules read in one place.
 * Test stubs: Microsoft's endpoints (OpenID metadata, Direct Line, token service) can be pointed at loopback stubs
 * for tests. Such a value must be a loopback URL in every profile; in production it also needs
 * TRUSTLINE_ALLOW_TEST_STUBS set to an exact phrase, and /readyz then never reports ready, so an instance configured
 * this way by mistake never receives traffic from a load balancer.
 */
const OPS_SETTINGS = {
  TEST_BF_OPENID_METADATA_URL: optStr.pipe(z.url({ protocol: /^https?$/ }).optional()),
  TEST_BF_TOKEN_ISSUER: optStr,
  TEST_BF_LOGIN_URL: optStr.pipe(z.url({ protocol: /^https$/ }).optional()),
  TRUSTLINE_ALLOW_TEST_STUBS: optStr,
  DIRECTLINE_SECRET: optStr,
  DIRECTLINE_BASE_URL: z.preprocess((v) => (v === '' || v === undefined ? 'https://directline.botframework.com' : v), z.url({ protocol: /^https?$/ })),
  DIRECTLINE_TRUSTED_ORIGINS: optStr,
  DIRECTLINE_TOKEN_RATE_PER_MINUTE: intFrom(10, 1, 10_000),
  HTTP_TRUSTED_PROXY_HOPS: intFrom(0, 0, 5),
  REDIS_USERNAME: optStr.pipe(z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/).optional()),
  REDIS_PASSWORD: optStr,
  KEYSTORE_REDIS_USERNAME: optStr.pipe(z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/).optional()),
  KEYSTORE_REDIS_PASSWORD: optStr,
  REDIS_TLS_CA_FILE: optStr,
  REDIS_TLS_CERT_FILE: optStr,
  REDIS_TLS_KEY_FILE: optStr,
  METRICS_TOKEN: optStr,
  METRICS_PORT: z.preprocess((v) => (v === undefined || v === '' ? undefined : Number(v)), z.number().int().min(0).max(65535).optional()),
  METRICS_HOST: optStr,
  SHUTDOWN_TIMEOUT_MS: intFrom(20_000, 100, 120_000),
};

const schema = z.object({
  TRUSTLINE_PROFILE: z.enum(['development', 'production']).default('development'),
  PORT: intFrom(3978, 0, 65535),
  HOST: optStr,
  INSTANCE_NAME: optStr,
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  REDIS_URL: optStr.pipe(z.url({ protocol: /^rediss?$/ }).optional()),
  KEYSTORE_REDIS_URL: optStr.pipe(z.url({ protocol: /^rediss?$/ }).optional()),
  REDIS_CLUSTER: boolFrom(false),
  KEYSTORE_REDIS_CLUSTER: z.preprocess((v) => (v === undefined || v === '' ? undefined : String(v).toLowerCase()), z.enum(['true', '1', 'yes', 'false', '0', 'no']).optional()),
  REDIS_COMMAND_TIMEOUT_MS: intFrom(1500, 50, 60000),
  REDIS_CONNECT_TIMEOUT_MS: intFrom(2000, 50, 60000),
  CUSTOMER_DIRECTORY_FILE: z.string().default('data/customers.json'),
  LOCAL_CHAT_ENABLED: boolFrom(true),
  PUBLIC_BASE_URL: optStr.pipe(z.url({ protocol: /^https?$/ }).optional()),
  MAX_ENVELOPE_BYTES: intFrom(1_048_576, 1024, 64 * 1_048_576),
  RETENTION_STATE_SECONDS: intFrom(30 * 86400, 60, 400 * 86400),
  RETENTION_TRANSCRIPT_SECONDS: intFrom(90 * 86400, 60, 3 * 365 * 86400),
  RETENTION_KEY_SECONDS: intFrom(3 * 365 * 86400, 60, 10 * 365 * 86400),
  RETENTION_AUDIT_SECONDS: intFrom(6 * 365 * 86400, 60, 20 * 365 * 86400),
  RETENTION_SWEEP_MINUTES: intFrom(60, 0, 7 * 24 * 60),
  TRANSCRIPTS_ENABLED: boolFrom(true),
  PII_OPERATORS: optStr.pipe(z.string().regex(/^\s*[A-Z_]+\s*=\s*(replace|mask|hash|token|drop)\s*(,\s*[A-Z_]+\s*=\s*(replace|mask|hash|token|drop)\s*)*$/).optional()),
  MicrosoftAppId: optStr,
  MicrosoftAppPassword: optStr,
  MicrosoftAppType: z.enum(['MultiTenant', 'SingleTenant', 'UserAssignedMSI']).default('MultiTenant'),
  MicrosoftAppTenantId: optStr,
  ...OPS_SETTINGS,
  TRUSTLINE_KEY_PROVIDER: z.preprocess((v) => (v === '' ? undefined : v), z.enum(['env', 'keyvault']).default('env')),
  AZURE_KEYVAULT_URL: optStr.pipe(z.url({ protocol: /^https$/ }).optional()),
  AZURE_KEYVAULT_SECRET_PREFIX: z.preprocess((v) => (v === '' ? undefined : v), z.string().regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38}[A-Za-z0-9])?$/).default('trustline')),
  AZURE_KEYVAULT_CLIENT_ID: optStr.pipe(z.string().regex(/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/).optional()),
  AZURE_KEYVAULT_TIMEOUT_MS: intFrom(20_000, 1000, 120_000),
  TRUSTLINE_MASTER_KEYS: optStr,
  TRUSTLINE_MASTER_KEYS_FILE: optStr,
  TRUSTLINE_ACTIVE_MASTER_KEY: optStr,
  TRUSTLINE_KEYNAME_KEY: optStr,
  TRUSTLINE_AUDIT_KEY: optStr,
  TRUSTLINE_CODE_HASH_KEY: optStr,
  TRUSTLINE_PII_HASH_KEY: optStr,
  TRUSTLINE_DEV_KEY_FILE: z.string().default('.trustline/dev-keys.json'),
  IDENTITY_FRESHNESS: optStr,
  IDENTITY_METHODS: optStr,
  IDENTITY_IDLE_MINUTES: intFrom(15, 1, 24 * 60),
  IDENTITY_ABSOLUTE_MINUTES: intFrom(120, 1, 7 * 24 * 60),
  OTP_DIGITS: intFrom(6, 6, 10),
  // OTP-2: at most 5 minutes by policy (10 is the checklist's hard cap).
  OTP_TTL_SECONDS: intFrom(300, 30, 600),
  SMTP_URL: optStr.pipe(z.url({ protocol: /^smtps?$/ }).optional()),
  SMTP_FROM: optStr.pipe(z.email().optional()),
  SMTP_PASSWORD: optStr,
  SMTP_REQUIRE_TLS: optStr.pipe(z.enum(['true', 'false']).optional()),
  SMS_API_URL: optStr.pipe(z.url({ protocol: /^https?$/ }).optional()),
  SMS_API_TOKEN: optStr,
  SMS_SENDER: optStr,
  OTP_OUTBOX_FILE: z.string().default('.trustline/outbox.log'),
  CRM_BASE_URL: optStr.pipe(z.url({ protocol: /^https?$/ }).optional()),
  CRM_API_TOKEN: optStr,
  CRM_TIMEOUT_MS: intFrom(2000, 100, 30000),
  HOST_IDENTITY_ISSUER: optStr,
  HOST_IDENTITY_AUDIENCE: optStr,
  HOST_IDENTITY_JWKS_URL: optStr.pipe(z.url({ protocol: /^https?$/ }).optional()),
  HOST_IDENTITY_ALGORITHMS: z.string().default('RS256,PS256,ES256,EdDSA'),
  HOST_IDENTITY_CLOCK_SKEW_SECONDS: intFrom(30, 0, 300),
  HOST_IDENTITY_MAX_AGE_SECONDS: intFrom(300, 30, 3600),
  HOST_IDENTITY_SUBJECT_CLAIM: z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/).default('sub'),
  HOST_IDENTITY_USER_CLAIM: z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/).default('tl_uid'),
  TEAMS_SSO_CONNECTION_NAME: optStr,
  OAuthUrl: optStr.pipe(z.url({ protocol: /^https?$/ }).optional()),
  PRIVACY_NOTICE_VERSION: optStr,
  CONSENT_PRESET: optStr.pipe(z.enum(['keep', 'dont_keep']).optional()),
  HANDOFF_ENABLED: boolFrom(true),
  HANDOFF_OFFER_AFTER_SECONDS: intFrom(300, 10, 24 * 3600),
  HANDOFF_MINUTES_PER_CUSTOMER: intFrom(4, 1, 120),
  HANDOFF_RETENTION_SECONDS: intFrom(30 * 86400, 60, 400 * 86400),
  HANDOFF_SWEEP_SECONDS: intFrom(10, 1, 3600),
  HANDOFF_REVEALABLE_TYPES: z.string().default('EMAIL,PHONE,IBAN,ACCOUNT_NUMBER,ADDRESS,POSTCODE,DATE_OF_BIRTH,PASSPORT,PERSON'),
  STAFF_COOKIE_SECURE: boolFrom(true),
  STAFF_TOTP_ISSUER: z.string().regex(/^[A-Za-z0-9 ._-]{1,40}$/).default('Trustline'),
  STAFF_AGENT_IDLE_MINUTES: intFrom(60, 1, 24 * 60),
  STAFF_AGENT_ABSOLUTE_MINUTES: intFrom(24 * 60, 5, 7 * 24 * 60),
  STAFF_PRIVILEGED_IDLE_MINUTES: intFrom(15, 1, 24 * 60),
  STAFF_PRIVILEGED_ABSOLUTE_MINUTES: intFrom(12 * 60, 5, 7 * 24 * 60),
  STAFF_LOGIN_MAX_FAILURES: intFrom(5, 1, 100),
  STAFF_LOGIN_WINDOW_SECONDS: intFrom(900, 60, 86400),
  DSR_EXPORT_LINK_MINUTES: intFrom(15, 1, 60),
  DSR_KEYSTORE_AOF_REWRITE: boolFrom(false),
  DSR_ERASE_STEP_PAUSE_MS: intFrom(0, 0, 60_000),
  DSR_RECORD_RETENTION_SECONDS: intFrom(3 * 365 * 86400, 86400, 10 * 365 * 86400),
});

/** Every setting the schema knows (tests check .env.example documents each). */
export const SETTING_NAMES: readonly string[] = Object.keys(schema.shape);

const PURPOSE_KEYS = ['TRUSTLINE_KEYNAME_KEY', 'TRUSTLINE_AUDIT_KEY', 'TRUSTLINE_CODE_HASH_KEY', 'TRUSTLINE_PII_HASH_KEY'] as const;

/** 32 random bytes, base64: the format of every key setting. */
export function newKeyText(): string {
  return randomBytes(32).toString('base64');
}

function decodeKey(setting: string, text: string): Uint8Array {
  const t = text.trim();
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(t)) throw new ConfigError([setting], 'not base64');
  const buf = Buffer.from(t.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  if (buf.length !== 32) throw new ConfigError([setting], 'key must be 32 bytes');
  return new Uint8Array(buf);
}

/** `v1:BASE64,v2:BASE64` (or a JSON object `{ "v1": "BASE64" }` in the file form). */
function parseMasterKeys(setting: string, text: string): MasterKey[] {
  let pairs: [string, string][];
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    let obj: unknown;
    try { obj = JSON.parse(trimmed); } catch { throw new ConfigError([setting], 'not valid JSON'); }
    if (!obj || typeof obj !== 'object' || Array.isArray(obj)) throw new ConfigError([setting], 'expected an object of versions');
    pairs = Object.entries(obj as Record<string, unknown>).map(([k, v]) => [k, typeof v === 'string' ? v : '']);
  } else {
    pairs = trimmed.split(',').filter(Boolean).map((p) => {
      const i = p.indexOf(':');
      return i < 0 ? ['', p] : [p.slice(0, i).trim(), p.slice(i + 1)];
    });
  }
  const out: MasterKey[] = [];
  for (const [version, value] of pairs) {
    if (!/^v[0-9]{1,6}$/.test(version)) throw new ConfigError([setting], 'versions must look like v1, v2, ...');
    if (out.some((k) => k.version === version)) throw new ConfigError([setting], 'duplicate version');
    out.push({ version, key: decodeKey(setting, value) });
  }
  if (out.length === 0) throw new ConfigError([setting], 'no master key');
  return out;
}

interface DevKeyFile { masterKeys: Record<string, string>; active: string; purpose: Record<string, string> }

function loadOrCreateDevKeys(path: string): { file: DevKeyFile; created: boolean } {
  if (existsSync(path)) {
    let parsed: unknown;
    try { parsed = JSON.parse(readFileSync(path, 'utf8')); } catch { throw new ConfigError(['TRUSTLINE_DEV_KEY_FILE'], 'file is not valid JSON'); }
    const f = parsed as Partial<DevKeyFile>;
    if (!f || typeof f !== 'object' || !f.masterKeys || !f.active || !f.purpose) {
      throw new ConfigError(['TRUSTLINE_DEV_KEY_FILE'], 'file is malformed');
    }
    return { file: f as DevKeyFile, created: false };
  }
  const file: DevKeyFile = {
    masterKeys: { v1: newKeyText() },
    active: 'v1',
    purpose: Object.fromEntries(PURPOSE_KEYS.map((k) => [k, newKeyText()])),
  };
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  writeFileSync(path, JSON.stringify(file, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
  chmodSync(path, 0o600);
  return { file, created: true };
}

/**
 * Validates the environment once and returns frozen config and secrets. Throws `ConfigError` naming the settings.
 * @param env defaults to process.env; tests pass their own object.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env, cwd = process.cwd()): LoadedConfig {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const names = [...new Set(parsed.error.issues.map((i) => String(i.path[0] ?? 'unknown')))];
    throw new ConfigError(names, 'invalid setting');
  }
  const e = parsed.data;
  const production = e.TRUSTLINE_PROFILE === 'production';
  // Key Vault: master and purpose keys come from the vault only, never mixed with (or falling back to) others.
  const fromVault = e.TRUSTLINE_KEY_PROVIDER === 'keyvault';
  if (fromVault) {
    const mixed = ['TRUSTLINE_MASTER_KEYS', 'TRUSTLINE_MASTER_KEYS_FILE', 'TRUSTLINE_ACTIVE_MASTER_KEY', ...PURPOSE_KEYS].filter((k) => e[k as keyof typeof e] !== undefined);
    if (mixed.length) throw new ConfigError(mixed, 'not allowed with TRUSTLINE_KEY_PROVIDER=keyvault (every key comes from the vault)');
    if (!e.AZURE_KEYVAULT_URL) throw new ConfigError(['AZURE_KEYVAULT_URL'], 'required with TRUSTLINE_KEY_PROVIDER=keyvault');
  }

  if (production) {
    const missing: string[] = [];
    if (!e.MicrosoftAppId) missing.push('MicrosoftAppId');
    // A user-assigned managed identity authenticates without a password.
    if (!e.MicrosoftAppPassword && e.MicrosoftAppType !== 'UserAssignedMSI') missing.push('MicrosoftAppPassword');
    if (e.MicrosoftAppType !== 'MultiTenant' && !e.MicrosoftAppTenantId) missing.push('MicrosoftAppTenantId');
    if (!e.REDIS_URL) missing.push('REDIS_URL');
    if (!e.KEYSTORE_REDIS_URL) missing.push('KEYSTORE_REDIS_URL');
    if (!fromVault && !e.TRUSTLINE_MASTER_KEYS && !e.TRUSTLINE_MASTER_KEYS_FILE) missing.push('TRUSTLINE_MASTER_KEYS');
    if (!fromVault) for (const k of PURPOSE_KEYS) if (!e[k]) missing.push(k);
    if (missing.length) throw new ConfigError(missing, 'production requires');
    if (e.CONSENT_PRESET) throw new ConfigError(['CONSENT_PRESET'], 'not allowed in production');
    if (e.SMTP_REQUIRE_TLS === 'false') throw new ConfigError(['SMTP_REQUIRE_TLS'], 'not allowed in production');
  }
  const ops = loadOpsConfig(e, production);
  const hostSettings = ['HOST_IDENTITY_ISSUER', 'HOST_IDENTITY_AUDIENCE', 'HOST_IDENTITY_JWKS_URL'] as const;
  const hostSet = hostSettings.filter((k) => e[k]);
  if (hostSet.length > 0 && hostSet.length < hostSettings.length) throw new ConfigError(hostSettings.filter((k) => !e[k]), 'signed host identity needs all of');
  const algorithms = e.HOST_IDENTITY_ALGORITHMS.split(',').map((a) => a.trim()).filter(Boolean);
  // Asymmetric algorithms only: a shared HMAC secret would let anyone holding it (every bot instance) mint identities.
  if (algorithms.length === 0 || algorithms.some((a) => !/^(RS|PS|ES)(256|384|512)$|^EdDSA$/.test(a))) throw new ConfigError(['HOST_IDENTITY_ALGORITHMS'], 'asymmetric JWS algorithms only');
  if (e.SMTP_URL && !e.SMTP_FROM) throw new ConfigError(['SMTP_FROM'], 'required with SMTP_URL');
  if (e.SMS_API_URL && !e.SMS_API_TOKEN) throw new ConfigError(['SMS_API_TOKEN'], 'required with SMS_API_URL');
  if (e.CRM_BASE_URL && !e.CRM_API_TOKEN) throw new ConfigError(['CRM_API_TOKEN'], 'required with CRM_BASE_URL');
  const revealable = e.HANDOFF_REVEALABLE_TYPES.split(',').map((x) => x.trim()).filter(Boolean);
  // Card numbers are never persisted in any form (invariant 9); one-time codes are never shown to anyone.
  if (revealable.some((x) => !ENTITY_NAMES.has(x) || x === 'CREDIT_CARD' || x === 'OTP_CODE')) throw new ConfigError(['HANDOFF_REVEALABLE_TYPES'], 'names a type that cannot be revealed');
  if (production && !e.STAFF_COOKIE_SECURE) throw new ConfigError(['STAFF_COOKIE_SECURE'], 'not allowed in production');

  let generatedDevKeyFile: string | undefined;
  let masterKeys: MasterKey[];
  let active: string;
  const purpose: Record<string, Uint8Array> = {};
  const explicitMaster = fromVault ? undefined : e.TRUSTLINE_MASTER_KEYS ?? (e.TRUSTLINE_MASTER_KEYS_FILE ? readSecretFile('TRUSTLINE_MASTER_KEYS_FILE', resolve(cwd, e.TRUSTLINE_MASTER_KEYS_FILE)) : undefined);
  const devKeyPath = resolve(cwd, e.TRUSTLINE_DEV_KEY_FILE);
  let dev: DevKeyFile | undefined;
  const needDev = !fromVault && !production && (!explicitMaster || PURPOSE_KEYS.some((k) => !e[k]));
  if (needDev) {
    const r = loadOrCreateDevKeys(devKeyPath);
    dev = r.file;
    if (r.created) generatedDevKeyFile = devKeyPath;
  }
  if (fromVault) {
    // Filled in by resolveKeys (guards/crypto/keyProviders.ts) before anything may use them.
    masterKeys = [];
    active = '';
  } else if (explicitMaster) {
    masterKeys = parseMasterKeys(e.TRUSTLINE_MASTER_KEYS ? 'TRUSTLINE_MASTER_KEYS' : 'TRUSTLINE_MASTER_KEYS_FILE', explicitMaster);
    active = e.TRUSTLINE_ACTIVE_MASTER_KEY ?? masterKeys[masterKeys.length - 1]!.version;
  } else {
    masterKeys = parseMasterKeys('TRUSTLINE_DEV_KEY_FILE', JSON.stringify(dev!.masterKeys));
    active = e.TRUSTLINE_ACTIVE_MASTER_KEY ?? dev!.active;
  }
  if (!fromVault && !masterKeys.some((k) => k.version === active)) throw new ConfigError(['TRUSTLINE_ACTIVE_MASTER_KEY'], 'names no configured master key version');
  for (const k of PURPOSE_KEYS) {
    if (fromVault) { purpose[k] = new Uint8Array(0); continue; }
    const text = e[k] ?? dev?.purpose[k];
    if (!text) throw new ConfigError([k], 'missing key');
    purpose[k] = decodeKey(k, text);
  }
  if (!fromVault) checkPurposeKeysDiffer(PURPOSE_KEYS.map((k) => purpose[k]!), [...PURPOSE_KEYS]);

  const localChatEnabled = production ? false : e.LOCAL_CHAT_ENABLED;
  const config: AppConfig = {
    profile: e.TRUSTLINE_PROFILE,
    port: e.PORT,
    host: e.HOST ?? (production ? '0.0.0.0' : '127.0.0.1'),
    instance: e.INSTANCE_NAME ?? `i-${randomBytes(3).toString('hex')}`,
    logLevel: e.LOG_LEVEL,
    redisUrl: e.REDIS_URL,
    keystoreRedisUrl: e.KEYSTORE_REDIS_URL ?? e.REDIS_URL,
    redisCluster: e.REDIS_CLUSTER,
    // The key store shares the data Redis unless KEYSTORE_REDIS_URL is set: then it is a cluster only when told so.
    keystoreRedisCluster: e.KEYSTORE_REDIS_CLUSTER !== undefined ? ['true', '1', 'yes'].includes(e.KEYSTORE_REDIS_CLUSTER) : !e.KEYSTORE_REDIS_URL && e.REDIS_CLUSTER,
    redisCommandTimeoutMs: e.REDIS_COMMAND_TIMEOUT_MS,
    redisConnectTimeoutMs: e.REDIS_CONNECT_TIMEOUT_MS,
    customerDirectoryFile: resolve(cwd, e.CUSTOMER_DIRECTORY_FILE),
    localChatEnabled,
    publicBaseUrl: e.PUBLIC_BASE_URL,
    maxEnvelopeBytes: e.MAX_ENVELOPE_BYTES,
    retention: {
      stateSeconds: e.RETENTION_STATE_SECONDS,
      transcriptSeconds: e.RETENTION_TRANSCRIPT_SECONDS,
      keySeconds: e.RETENTION_KEY_SECONDS,
    },
    compliance: { auditRetentionSeconds: e.RETENTION_AUDIT_SECONDS, sweepMinutes: e.RETENTION_SWEEP_MINUTES },
    keepTranscripts: e.TRANSCRIPTS_ENABLED,
    piiOperators: Object.freeze(parseOperators(e.PII_OPERATORS)),
    bot: { appId: e.MicrosoftAppId ?? '', appType: e.MicrosoftAppType, tenantId: e.MicrosoftAppTenantId ?? '' },
    ops: ops.config,
    devKeyFile: needDev ? devKeyPath : undefined,
    identity: {
      freshness: e.IDENTITY_FRESHNESS,
      methods: e.IDENTITY_METHODS,
      idleMinutes: e.IDENTITY_IDLE_MINUTES,
      absoluteMinutes: e.IDENTITY_ABSOLUTE_MINUTES,
      otp: { digits: e.OTP_DIGITS, ttlSeconds: e.OTP_TTL_SECONDS },
      smtp: e.SMTP_URL ? { url: e.SMTP_URL, from: e.SMTP_FROM!, requireTls: e.SMTP_REQUIRE_TLS !== 'false' } : undefined,
      sms: e.SMS_API_URL ? { url: e.SMS_API_URL, sender: e.SMS_SENDER ?? 'Trustline' } : undefined,
      outboxFile: production ? undefined : resolve(cwd, e.OTP_OUTBOX_FILE),
      crm: e.CRM_BASE_URL ? { baseUrl: e.CRM_BASE_URL, timeoutMs: e.CRM_TIMEOUT_MS } : undefined,
      hostToken: e.HOST_IDENTITY_ISSUER && e.HOST_IDENTITY_AUDIENCE && e.HOST_IDENTITY_JWKS_URL ? {
        issuer: e.HOST_IDENTITY_ISSUER, audience: e.HOST_IDENTITY_AUDIENCE, jwksUrl: e.HOST_IDENTITY_JWKS_URL, algorithms,
        clockSkewSeconds: e.HOST_IDENTITY_CLOCK_SKEW_SECONDS, maxAgeSeconds: e.HOST_IDENTITY_MAX_AGE_SECONDS,
        subjectClaim: e.HOST_IDENTITY_SUBJECT_CLAIM, userClaim: e.HOST_IDENTITY_USER_CLAIM,
      } : undefined,
      teams: e.TEAMS_SSO_CONNECTION_NAME ? { connectionName: e.TEAMS_SSO_CONNECTION_NAME, oAuthUrl: e.OAuthUrl } : undefined,
    },
    consent: { noticeVersion: e.PRIVACY_NOTICE_VERSION, preset: e.CONSENT_PRESET },
    handoff: {
      enabled: e.HANDOFF_ENABLED,
      offerAfterSeconds: e.HANDOFF_OFFER_AFTER_SECONDS,
      minutesPerCustomer: e.HANDOFF_MINUTES_PER_CUSTOMER,
      retentionSeconds: e.HANDOFF_RETENTION_SECONDS,
      sweepSeconds: e.HANDOFF_SWEEP_SECONDS,
      revealableTypes: Object.freeze(revealable),
    },
    dsr: {
      exportLinkMinutes: e.DSR_EXPORT_LINK_MINUTES,
      keystoreAofRewrite: e.DSR_KEYSTORE_AOF_REWRITE,
      eraseStepPauseMs: e.DSR_ERASE_STEP_PAUSE_MS,
      recordSeconds: e.DSR_RECORD_RETENTION_SECONDS,
    },
    staff: {
      cookieSecure: e.STAFF_COOKIE_SECURE,
      totpIssuer: e.STAFF_TOTP_ISSUER,
      agentIdleMinutes: e.STAFF_AGENT_IDLE_MINUTES,
      agentAbsoluteMinutes: e.STAFF_AGENT_ABSOLUTE_MINUTES,
      privilegedIdleMinutes: e.STAFF_PRIVILEGED_IDLE_MINUTES,
      privilegedAbsoluteMinutes: e.STAFF_PRIVILEGED_ABSOLUTE_MINUTES,
      loginMaxFailures: e.STAFF_LOGIN_MAX_FAILURES,
      loginWindowSeconds: e.STAFF_LOGIN_WINDOW_SECONDS,
    },
  };
  const secrets: Secrets = {
    appPassword: e.MicrosoftAppPassword ?? '',
    ...ops.secrets,
    masterKeys: Object.freeze(masterKeys.map((k) => Object.freeze(k))),
    activeMasterVersion: active,
    keyNameKey: purpose.TRUSTLINE_KEYNAME_KEY!,
    auditKey: purpose.TRUSTLINE_AUDIT_KEY!,
    codeHashKey: purpose.TRUSTLINE_CODE_HASH_KEY!,
    piiHashKey: purpose.TRUSTLINE_PII_HASH_KEY!,
    smtpPassword: e.SMTP_PASSWORD ?? '',
    smsToken: e.SMS_API_TOKEN ?? '',
    crmToken: e.CRM_API_TOKEN ?? '',
  };
  return {
    config: Object.freeze({ ...config, retention: Object.freeze(config.retention), bot: Object.freeze(config.bot), ops: deepFreeze(config.ops), identity: Object.freeze(config.identity), consent: Object.freeze(config.consent), handoff: Object.freeze(config.handoff), staff: Object.freeze(config.staff), dsr: Object.freeze(config.dsr), compliance: Object.freeze(config.compliance) }),
    secrets: Object.freeze(secrets),
    ...(generatedDevKeyFile ? { generatedDevKeyFile } : {}),
    ...(fromVault ? {
      pendingKeyVault: Object.freeze({
        url: e.AZURE_KEYVAULT_URL!, prefix: e.AZURE_KEYVAULT_SECRET_PREFIX, managedIdentityClientId: e.AZURE_KEYVAULT_CLIENT_ID,
        timeoutMs: e.AZURE_KEYVAULT_TIMEOUT_MS, testStub: ops.config.testStubs && isLoopbackHost(new URL(e.AZURE_KEYVAULT_URL!).hostname),
      }),
    } : {}),
  };
}

function checkPurposeKeysDiffer(keys: Uint8Array[], names: string[]): void {
  const distinct = new Set(keys.map((k) => Buffer.from(k).toString('hex')));
  if (distinct.size !== keys.length) throw new ConfigError(names, 'purpose keys must differ from each other');
}

/** The purpose keys by setting name (Key Vault secret names are derived from these: deployment/README.md). */
export type PurposeKeySetting = (typeof PURPOSE_KEYS)[number];
export const PURPOSE_KEY_SETTINGS: readonly PurposeKeySetting[] = PURPOSE_KEYS;

/** Decodes one key text (32 bytes, base64 or base64url) the way every key setting is decoded; errors name `what`. */
export function decodeKeyText(what: string, text: string): Uint8Array {
  return decodeKey(what, text);
}

/**
 * Completes a configuration whose keys come from a key provider (Key Vault): the same checks as keys from the
 * environment (the active version exists, purpose keys differ), then frozen like `loadConfig`'s result.
 * `names` are what an error names (the vault setting and secret names, never values).
 */
export function withProvidedKeys(loaded: LoadedConfig, keys: { masterKeys: MasterKey[]; active: string; purpose: Record<PurposeKeySetting, Uint8Array> }, names: { active: string[]; purpose: string[] }): LoadedConfig {
  if (!keys.masterKeys.some((k) => k.version === keys.active)) throw new ConfigError(names.active, 'the active master key version names no master key in the vault');
  checkPurposeKeysDiffer(PURPOSE_KEYS.map((k) => keys.purpose[k]), names.purpose);
  const secrets: Secrets = {
    ...loaded.secrets,
    masterKeys: Object.freeze(keys.masterKeys.map((k) => Object.freeze({ ...k }))),
    activeMasterVersion: keys.active,
    keyNameKey: keys.purpose.TRUSTLINE_KEYNAME_KEY,
    auditKey: keys.purpose.TRUSTLINE_AUDIT_KEY,
    codeHashKey: keys.purpose.TRUSTLINE_CODE_HASH_KEY,
    piiHashKey: keys.purpose.TRUSTLINE_PII_HASH_KEY,
  };
  return Object.freeze({ config: loaded.config, secrets: Object.freeze(secrets), ...(loaded.generatedDevKeyFile ? { generatedDevKeyFile: loaded.generatedDevKeyFile } : {}) });
}

const ENTITY_NAMES = new Set(['EMAIL', 'PHONE', 'CREDIT_CARD', 'IBAN', 'US_SSN', 'IP_ADDRESS', 'DATE_OF_BIRTH', 'PERSON', 'ADDRESS', 'POSTCODE', 'PASSPORT', 'ACCOUNT_NUMBER', 'URL', 'OTP_CODE']);

/** `EMAIL=hash,PHONE=mask`. Card numbers are never persisted in any form, so CREDIT_CARD cannot use `token`. */
function parseOperators(text: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (text ?? '').split(',').map((p) => p.trim()).filter(Boolean)) {
    const [type, op] = part.split('=').map((x) => x.trim()) as [string, string];
    if (!ENTITY_NAMES.has(type)) throw new ConfigError(['PII_OPERATORS'], 'names an unknown entity type');
    if (type === 'CREDIT_CARD' && op === 'token') throw new ConfigError(['PII_OPERATORS'], 'card numbers cannot be tokenised (never persisted)');
    out[type] = op;
  }
  return out;
}

function readSecretFile(setting: string, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    throw new ConfigError([setting], 'file cannot be read');
  }
}

/** Production operations (issue 8). Undefined endpoint = botbuilder's public-cloud constant. */
export interface OpsConfig {
  channelAuth: { openIdMetadataUrl: string | undefined; tokenIssuer: string | undefined; oAuthUrl: string | undefined; loginUrl: string | undefined };
  /** Loopback stubs stand in for Microsoft endpoints (tests). In production such an instance never turns ready. */
  testStubs: boolean;
  /** Direct Line token endpoint; undefined without DIRECTLINE_SECRET. */
  directLine: { baseUrl: string; trustedOrigins: readonly string[]; tokenRatePerMinute: number } | undefined;
  /** Proxies in front of the bot that append to X-Forwarded-For (0 = use the socket address). */
  trustedProxyHops: number;
  redis: {
    username: string | undefined;
    keystoreUsername: string | undefined;
    /** PEM text read at start-up; ca verifies the server of a rediss:// URL, cert + key (secret) authenticate us. */
    tls: { ca: string | undefined; cert: string | undefined };
  };
  /** `/metrics` on the main port: `token` needs METRICS_TOKEN as a bearer token, `open` (development only), `off`. */
  metrics: { mainPort: 'token' | 'open' | 'off'; port: number | undefined; host: string | undefined };
  shutdownTimeoutMs: number;
}

/** The exact phrase TRUSTLINE_ALLOW_TEST_STUBS must hold for a production-profile instance to accept test stubs. */
export const TEST_STUBS_PHRASE = 'this-instance-serves-no-customers';

const isLoopbackHost = (host: string) => /^(localhost|127(\.\d{1,3}){3}|\[::1\]|::1)$/i.test(host);
/** Hosts that may receive the Direct Line secret or serve tokens in production: Microsoft's Bot Framework clouds. */
const isKeyVaultHost = (host: string) => /^[a-z0-9-]{3,24}\.vault\.(azure\.net|azure\.cn|usgovcloudapi\.net|microsoftazure\.de)$/i.test(host);
const isBotFrameworkHost = (host: string) => /(^|\.)botframework\.com$|(^|\.)botframework\.azure\.us$/i.test(host);

function loadOpsConfig(e: z.infer<typeof schema>, production: boolean): { config: OpsConfig; secrets: { redisPassword: string; keystoreRedisPassword: string; directLineSecret: string; metricsToken: string; redisTlsKey: string } } {
  // Test stubs: any endpoint setting that is not Microsoft's real https endpoint must be a loopback URL.
  const stubbed: string[] = [];
  const endpoint = (setting: string, value: string | undefined, testOnly: boolean) => {
    if (!value) return;
    const u = new URL(value);
    const real = u.protocol === 'https:' && isBotFrameworkHost(u.hostname);
    if (!testOnly && real) return;
    if (!isLoopbackHost(u.hostname)) throw new ConfigError([setting], testOnly ? 'test stub must be a loopback URL' : 'must be an https Bot Framework endpoint or a loopback test stub');
    stubbed.push(setting);
  };
  endpoint('TEST_BF_OPENID_METADATA_URL', e.TEST_BF_OPENID_METADATA_URL, true);
  endpoint('DIRECTLINE_BASE_URL', e.DIRECTLINE_BASE_URL, false);
  endpoint('OAuthUrl', e.OAuthUrl, false);
  // Outbound: the token authority of the bot's own credentials (proactive messages, replies, Teams calls).
  endpoint('TEST_BF_LOGIN_URL', e.TEST_BF_LOGIN_URL, true);
  if (e.AZURE_KEYVAULT_URL) {
    const host = new URL(e.AZURE_KEYVAULT_URL).hostname;
    if (!isKeyVaultHost(host)) {
      if (!isLoopbackHost(host)) throw new ConfigError(['AZURE_KEYVAULT_URL'], 'must be an Azure Key Vault URL (https://NAME.vault.azure.net) or a loopback test stub');
      stubbed.push('AZURE_KEYVAULT_URL');
    }
  }
  if (e.TEST_BF_TOKEN_ISSUER && !e.TEST_BF_OPENID_METADATA_URL) throw new ConfigError(['TEST_BF_OPENID_METADATA_URL'], 'required with TEST_BF_TOKEN_ISSUER');
  if (e.TEST_BF_TOKEN_ISSUER) stubbed.push('TEST_BF_TOKEN_ISSUER');
  if (production && stubbed.length && e.TRUSTLINE_ALLOW_TEST_STUBS !== TEST_STUBS_PHRASE) throw new ConfigError([...stubbed, 'TRUSTLINE_ALLOW_TEST_STUBS'], 'test stubs are refused in production');

  // Redis: TLS with verification to anything but a loopback TLS sidecar; an ACL user, never the default user.
  const tlsFiles = { ca: e.REDIS_TLS_CA_FILE, cert: e.REDIS_TLS_CERT_FILE, key: e.REDIS_TLS_KEY_FILE };
  if (!!tlsFiles.cert !== !!tlsFiles.key) throw new ConfigError(['REDIS_TLS_CERT_FILE', 'REDIS_TLS_KEY_FILE'], 'client certificate needs both');
  const redisTargets = [['REDIS_URL', e.REDIS_URL, e.REDIS_USERNAME, e.REDIS_PASSWORD, 'REDIS_PASSWORD'], ['KEYSTORE_REDIS_URL', e.KEYSTORE_REDIS_URL, e.KEYSTORE_REDIS_USERNAME ?? e.REDIS_USERNAME, e.KEYSTORE_REDIS_PASSWORD ?? e.REDIS_PASSWORD, 'KEYSTORE_REDIS_PASSWORD']] as const;
  for (const [setting, url, user, password, passwordSetting] of redisTargets) {
    if (!url) continue;
    const u = new URL(url);
    if ((tlsFiles.ca || tlsFiles.cert) && u.protocol !== 'rediss:' && setting === 'REDIS_URL') throw new ConfigError(['REDIS_TLS_CA_FILE', setting], 'TLS files need a rediss:// URL');
    if (!production) continue;
    if (u.protocol !== 'rediss:' && !isLoopbackHost(u.hostname)) throw new ConfigError([setting], 'production needs rediss:// (TLS) unless Redis is a loopback TLS sidecar');
    if (!(password || u.password) || !(user || u.username) || (user ?? decodeURIComponent(u.username)) === 'default') throw new ConfigError([setting, passwordSetting], 'production needs an ACL user (not default) with a password');
  }

  let trustedOrigins: string[] = [];
  if (e.DIRECTLINE_TRUSTED_ORIGINS) {
    trustedOrigins = e.DIRECTLINE_TRUSTED_ORIGINS.split(',').map((o) => o.trim()).filter(Boolean);
    for (const o of trustedOrigins) {
      let u: URL;
      try { u = new URL(o); } catch { throw new ConfigError(['DIRECTLINE_TRUSTED_ORIGINS'], 'not a list of origins'); }
      if (u.origin !== o || (u.protocol !== 'https:' && !(u.protocol === 'http:' && isLoopbackHost(u.hostname) && !production))) throw new ConfigError(['DIRECTLINE_TRUSTED_ORIGINS'], 'https origins only (scheme://host[:port])');
    }
  }
  if (production && e.DIRECTLINE_SECRET && trustedOrigins.length === 0) throw new ConfigError(['DIRECTLINE_TRUSTED_ORIGINS'], 'required with DIRECTLINE_SECRET in production');

  if (e.METRICS_TOKEN !== undefined && e.METRICS_TOKEN.length < 32) throw new ConfigError(['METRICS_TOKEN'], 'must be at least 32 characters');
  const read = (setting: string, path: string | undefined) => (path ? readSecretFile(setting, path) : undefined);
  const ca = read('REDIS_TLS_CA_FILE', tlsFiles.ca);
  const cert = read('REDIS_TLS_CERT_FILE', tlsFiles.cert);
  const tlsKey = read('REDIS_TLS_KEY_FILE', tlsFiles.key);
  return {
    config: {
      channelAuth: { openIdMetadataUrl: e.TEST_BF_OPENID_METADATA_URL, tokenIssuer: e.TEST_BF_TOKEN_ISSUER, oAuthUrl: e.OAuthUrl, loginUrl: e.TEST_BF_LOGIN_URL },
      testStubs: stubbed.length > 0,
      directLine: e.DIRECTLINE_SECRET ? { baseUrl: e.DIRECTLINE_BASE_URL.replace(/\/+$/, ''), trustedOrigins, tokenRatePerMinute: e.DIRECTLINE_TOKEN_RATE_PER_MINUTE } : undefined,
      trustedProxyHops: e.HTTP_TRUSTED_PROXY_HOPS,
      redis: { username: e.REDIS_USERNAME, keystoreUsername: e.KEYSTORE_REDIS_USERNAME ?? e.REDIS_USERNAME, tls: { ca, cert } },
      metrics: { mainPort: e.METRICS_TOKEN ? 'token' : production ? 'off' : 'open', port: e.METRICS_PORT, host: e.METRICS_HOST },
      shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    },
    secrets: {
      redisPassword: e.REDIS_PASSWORD ?? '',
      keystoreRedisPassword: e.KEYSTORE_REDIS_PASSWORD ?? e.REDIS_PASSWORD ?? '',
      directLineSecret: e.DIRECTLINE_SECRET ?? '',
      metricsToken: e.METRICS_TOKEN ?? '',
      redisTlsKey: tlsKey ?? '',
    },
  };
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
  return o;
}
