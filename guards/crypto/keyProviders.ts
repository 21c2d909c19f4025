/**
 * Key providers: where the master key versions and the purpose keys come from.
 *
 * - `env` (default): TRUSTLINE_MASTER_KEYS / TRUSTLINE_MASTER_KEYS_FILE and the TRUSTLINE_*_KEY settings, read by
 *   `loadConfig` itself (config.ts), synchronously.
 * - `keyvault`: Azure Key Vault through `@azure/keyvault-secrets`, authenticated with the instance's managed
 *   identity (`ManagedIdentityCredential`: App Service / Container Apps through IDENTITY_ENDPOINT + IDENTITY_HEADER,
 *   which the platform sets and the library reads; elsewhere the instance metadata service). `resolveKeys` runs
 *   once at start-up, before `createApp`, in the bot and in the `trustline` command.
 *
 * Secrets in the vault (prefix = AZURE_KEYVAULT_SECRET_PREFIX, default `trustline`; deployment/README.md, runbook):
 *   <prefix>-master-v1, <prefix>-master-v2, ...   one secret per master key version (32 bytes, base64)
 *   <prefix>-master-active                         the version that wraps new data keys, e.g. `v2`
 *   <prefix>-keyname-key, <prefix>-audit-key, <prefix>-code-hash-key, <prefix>-pii-hash-key   purpose keys
 * Each secret's current (latest enabled) version is used. A disabled master secret counts as absent: disabling one
 * is how an operator retires (or, in an incident, revokes) a master version.
 *
 * Fail closed (CR-7): an unreachable vault, a refused token, a missing or malformed secret all throw a ConfigError
 * naming the setting and the secret, never a value; nothing falls back to keys from anywhere else.
 */
import { SecretClient } from '@azure/keyvault-secrets';
import { ManagedIdentityCredential } from '@azure/identity';
import { ConfigError, decodeKeyText, withProvidedKeys, PURPOSE_KEY_SETTINGS, type KeyVaultSource, type LoadedConfig, type MasterKey, type PurposeKeySetting } from '../../config.js';

/** What the resolver needs of a vault (the SDK client in production; tests may pass their own). */
export interface SecretSource {
  /** Names of the enabled secrets. */
  listEnabled(signal: AbortSignal): Promise<string[]>;
  /** The current value, or undefined when the secret does not exist or is disabled. */
  get(name: string, signal: AbortSignal): Promise<string | undefined>;
}

const PURPOSE_SECRETS: Record<PurposeKeySetting, string> = {
  TRUSTLINE_KEYNAME_KEY: 'keyname-key',
  TRUSTLINE_AUDIT_KEY: 'audit-key',
  TRUSTLINE_CODE_HASH_KEY: 'code-hash-key',
  TRUSTLINE_PII_HASH_KEY: 'pii-hash-key',
};

/** The secret names of a prefix (documentation, Bicep and tests use the same names). */
export function keyVaultSecretNames(prefix: string): { master: (version: string) => string; active: string; purpose: Record<PurposeKeySetting, string> } {
  return {
    master: (v) => `${prefix}-master-${v}`,
    active: `${prefix}-master-active`,
    purpose: Object.fromEntries(PURPOSE_KEY_SETTINGS.map((k) => [k, `${prefix}-${PURPOSE_SECRETS[k]}`])) as Record<PurposeKeySetting, string>,
  };
}

/** Why the vault could not be read, as a fixed phrase (the SDK's messages may hold URLs and are never shown). */
function whyVaultFailed(err: unknown, signal: AbortSignal): string {
  const e = err as { name?: string; statusCode?: number; code?: string };
  if (signal.aborted) return 'Key Vault did not answer in time';
  if (e?.name === 'CredentialUnavailableError' || e?.name === 'AuthenticationError' || e?.name === 'AggregateAuthenticationError') return 'the managed identity token for Key Vault could not be obtained';
  if (e?.statusCode === 401 || e?.statusCode === 403) return 'Key Vault refused access to the managed identity';
  if (typeof e?.statusCode === 'number') return 'Key Vault answered with an error';
  return 'Key Vault is not reachable';
}

class SdkSecretSource implements SecretSource {
  readonly #client: SecretClient;
  constructor(kv: KeyVaultSource) {
    const credential = new ManagedIdentityCredential(kv.managedIdentityClientId ? { clientId: kv.managedIdentityClientId } : {});
    this.#client = new SecretClient(kv.url, credential, {
      // A loopback test stub cannot answer with a challenge for a *.vault.azure.net resource of its own host name.
      disableChallengeResourceVerification: kv.testStub,
      retryOptions: { maxRetries: 2, retryDelayInMs: 250, maxRetryDelayInMs: 2000 },
    });
  }
  async listEnabled(signal: AbortSignal): Promise<string[]> {
    const names: string[] = [];
    for await (const p of this.#client.listPropertiesOfSecrets({ abortSignal: signal })) if (p.enabled !== false) names.push(p.name);
    return names;
  }
  async get(name: string, signal: AbortSignal): Promise<string | undefined> {
    try {
      const s = await this.#client.getSecret(name, { abortSignal: signal });
      return s.properties.enabled === false ? undefined : s.value;
    } catch (err) {
      // Not found, or disabled (Key Vault answers 403 "SecretDisabled" for the value of a disabled secret).
      const e = err as { statusCode?: number; code?: string };
      if (e?.statusCode === 404 || (e?.statusCode === 403 && e.code === 'Forbidden' && /disabled/i.test(String((err as Error).message)))) return undefined;
      throw err;
    }
  }
}

/**
 * Completes a configuration: with TRUSTLINE_KEY_PROVIDER=env it is returned as it is; with `keyvault` the keys are
 * fetched and checked. Throws ConfigError (one line: the setting and the secret name) on any failure.
 */
export async function resolveKeys(loaded: LoadedConfig, opts: { source?: SecretSource } = {}): Promise<LoadedConfig> {
  const kv = loaded.pendingKeyVault;
  if (!kv) return loaded;
  const source = opts.source ?? new SdkSecretSource(kv);
  const names = keyVaultSecretNames(kv.prefix);
  const signal = AbortSignal.timeout(kv.timeoutMs);
  const fail = (why: string): never => { throw new ConfigError(['AZURE_KEYVAULT_URL'], why); };
  const call = async <T>(fn: () => Promise<T>): Promise<T> => {
    try { return await fn(); } catch (err) { return fail(whyVaultFailed(err, signal)); }
  };
  const required = async (name: string): Promise<string> => {
    const v = await call(() => source.get(name, signal));
    if (v === undefined || v.trim() === '') return fail(`Key Vault secret ${name} is missing or disabled`);
    return v;
  };
  const key = (name: string, text: string): Uint8Array => {
    try { return decodeKeyText(name, text); } catch { return fail(`Key Vault secret ${name} is not a 32-byte base64 key`); }
  };

  const masterPattern = new RegExp(`^${kv.prefix}-master-(v[0-9]{1,6})$`);
  const listed = await call(() => source.listEnabled(signal));
  const versions = listed.map((n) => masterPattern.exec(n)?.[1]).filter((v): v is string => v !== undefined)
    .sort((a, b) => Number(a.slice(1)) - Number(b.slice(1)));
  if (versions.length === 0) fail(`Key Vault holds no master key secret (${names.master('v1')}, ...)`);
  const active = (await required(names.active)).trim();
  if (!/^v[0-9]{1,6}$/.test(active)) fail(`Key Vault secret ${names.active} must name a version such as v2`);
  const masterKeys: MasterKey[] = [];
  for (const v of versions) masterKeys.push({ version: v, key: key(names.master(v), await required(names.master(v))) });
  const purpose = {} as Record<PurposeKeySetting, Uint8Array>;
  for (const k of PURPOSE_KEY_SETTINGS) purpose[k] = key(names.purpose[k], await required(names.purpose[k]));
  return withProvidedKeys(loaded, { masterKeys, active, purpose }, {
    active: ['AZURE_KEYVAULT_URL', names.active],
    purpose: ['AZURE_KEYVAULT_URL', ...PURPOSE_KEY_SETTINGS.map((k) => names.purpose[k])],
  });
}
