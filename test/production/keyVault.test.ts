/**
 * Master and purpose keys from Azure Key Vault (issue 8 item 6; CR-7): the bot runs as a child process in the
 * production profile with TRUSTLINE_KEY_PROVIDER=keyvault, against a loopback HTTPS stand-in for Key Vault (test
 * CA through NODE_EXTRA_CA_CERTS, 401 challenge first) and an App Service style managed-identity endpoint
 * (IDENTITY_ENDPOINT + IDENTITY_HEADER). Keys load and a full turn works; a rotated vault is picked up on restart
 * with old data still readable; a missing, disabled or malformed secret, a refused identity and an unreachable
 * vault each refuse the start with one line naming the setting and the secret, never a value.
 */
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { createClient, type RedisClientType } from 'redis';
import { startRedis, freePort, type RedisProcess } from '../support/redis.js';
import { startChannelTokenAuthority } from './support/stubs.js';
import { makeTestCa, type TestCa } from './support/tlsRedis.js';
import { startKeyVault, startManagedIdentity } from './support/azureStubs.js';
import { spawnBot, type BotProcess } from './support/botProcess.js';
import { loadConfig, TEST_STUBS_PHRASE } from '../../config.js';
import { resolveKeys, type SecretSource } from '../../guards/crypto/keyProviders.js';
import { testEnv } from '../support/app.js';
import { cli } from '../support/cli.js';

const APP_ID = '22222222-3333-4444-5555-666666666666';
const REDIS_PASSWORD = 'acl-password-for-keyvault-tests-0123';
const key = () => randomBytes(32).toString('base64');


describe('master keys from Azure Key Vault (production, loopback HTTPS stub, managed identity)', function () {
  this.timeout(120_000);
  let ca: TestCa;
  let vault: Awaited<ReturnType<typeof startKeyVault>>;
  let identity: Awaited<ReturnType<typeof startManagedIdentity>>;
  let authority: Awaited<ReturnType<typeof startChannelTokenAuthority>>;
  let redis: RedisProcess;
  let admin: RedisClientType;
  let env: Record<string, string | undefined>;
  const values: Record<string, string> = {};
  let seq = 0;

  const setKey = (name: string, v = key()) => { values[name] = v; vault.set(name, v); return v; };
  const seedVault = () => {
    vault.secrets.clear();
    setKey('trustline-master-v1');
    vault.set('trustline-master-active', 'v1');
    for (const n of ['keyname-key', 'audit-key', 'code-hash-key', 'pii-hash-key']) setKey(`trustline-${n}`);
  };
  /** No key value may appear in anything the process printed. */
  const expectNoKeyValues = (text: string) => { for (const v of Object.values(values)) expect(text).not.to.include(v); };

  before(async () => {
    ca = makeTestCa('kv-test');
    identity = await startManagedIdentity();
    vault = await startKeyVault(ca, identity.token);
    authority = await startChannelTokenAuthority();
    redis = await startRedis(['--user', 'trustline', 'on', `>${REDIS_PASSWORD}`, '~*', '&*', '+@all', '--user', 'default', 'off']);
    admin = createClient({ url: redis.url, username: 'trustline', password: REDIS_PASSWORD, socket: { reconnectStrategy: false } }) as RedisClientType;
    await admin.connect();
    env = {
      TRUSTLINE_PROFILE: 'production', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', INSTANCE_NAME: 'kv-test',
      MicrosoftAppId: APP_ID, MicrosoftAppPassword: 'app-password-not-used-by-these-tests',
      REDIS_URL: redis.url, KEYSTORE_REDIS_URL: redis.url, REDIS_USERNAME: 'trustline', REDIS_PASSWORD,
      TEST_BF_OPENID_METADATA_URL: authority.metadataUrl, TRUSTLINE_ALLOW_TEST_STUBS: TEST_STUBS_PHRASE,
      TRUSTLINE_KEY_PROVIDER: 'keyvault', AZURE_KEYVAULT_URL: vault.url, AZURE_KEYVAULT_TIMEOUT_MS: '8000',
      NODE_EXTRA_CA_CERTS: ca.caFile, ...identity.env,
    };
    seedVault();
  });
  after(async () => {
    await admin?.quit().catch(() => undefined);
    await Promise.all([vault?.close(), identity?.close(), authority?.close(), redis?.stop()]);
    if (ca) rmSync(ca.dir, { recursive: true, force: true });
  });

  async function say(bot: BotProcess, conversation: string, text: string): Promise<string[]> {
    const serviceUrl = 'https://connector.invalid/';
    const token = await authority.sign({ appId: APP_ID, serviceUrl });
    const res = await fetch(`${bot.url}/api/messages`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ type: 'message', id: `kv-${++seq}`, channelId: 'webchat', serviceUrl, deliveryMode: 'expectReplies', locale: 'en-US', conversation: { id: conversation }, from: { id: 'dl_kv_user' }, recipient: { id: APP_ID }, text }),
    });
    expect(res.status).to.equal(200);
    return ((await res.json()) as { activities: { type: string; text?: string }[] }).activities.filter((a) => a.type === 'message').map((a) => a.text ?? '');
  }

  it('loads every key from the vault with the managed identity, and a full turn works', async () => {
    identity.calls.length = 0;
    vault.calls.length = 0;
    const bot = await spawnBot(env);
    try {
      expect(bot.url, bot.stderr()).to.be.a('string');
      // The token came from the managed identity endpoint, for Key Vault, with the platform's secret header.
      expect(identity.calls.length).to.be.greaterThan(0);
      expect(new URL(identity.calls[0]!.url, 'http://x').searchParams.get('resource')).to.equal('https://vault.azure.net');
      // Challenge first (no token), then every secret read with the identity's token, over TLS.
      expect(vault.calls[0]!.headers.authorization).to.equal(undefined);
      const reads = vault.calls.filter((c) => /^\/secrets\/trustline-/.test(c.url));
      expect(reads.map((c) => c.url.split('?')[0]!.replace(/\/$/, '')).sort()).to.deep.equal([
        '/secrets/trustline-audit-key', '/secrets/trustline-code-hash-key', '/secrets/trustline-keyname-key', '/secrets/trustline-master-active', '/secrets/trustline-master-v1', '/secrets/trustline-pii-hash-key',
      ]);
      for (const c of reads) expect(c.headers.authorization).to.equal(`Bearer ${identity.token}`);
      const first = await say(bot, 'kv-conv-1', 'hello');
      expect(first.join('\n')).to.match(/keep a copy|privacy/i);
      const kept = await say(bot, 'kv-conv-1', 'Keep my conversation');
      expect(kept.join('\n')).to.match(/we will keep a copy of this conversation/);
    } finally {
      expect(await bot.stop()).to.equal(0);
    }
    expectNoKeyValues(bot.stdout() + bot.stderr());
  });

  it('picks up a rotated vault (new version, marked active) on restart; old data stays readable and `keys rotate` re-wraps it, audited', async () => {
    setKey('trustline-master-v2');
    vault.set('trustline-master-active', 'v2');
    const bot = await spawnBot(env);
    try {
      expect(bot.url, bot.stderr()).to.be.a('string');
      // The conversation's consent (sealed under a data key wrapped by v1) is still read: no second notice.
      const again = await say(bot, 'kv-conv-1', 'hello');
      expect(again.join('\n')).not.to.match(/keep a copy of this conversation/i);
      expect(again.join('\n')).not.to.match(/temporarily|something went wrong/i);
      // The operator command reads the same vault: v2 active, the old keys still under v1 until rotated.
      const before = await cli(['keys', 'status', '--json'], env);
      expect(before.code, before.stderr).to.equal(0);
      const s = JSON.parse(before.stdout) as { active: string; configured: string[]; byMasterVersion: Record<string, number> };
      expect(s.active).to.equal('v2');
      expect(s.configured).to.deep.equal(['v1', 'v2']);
      expect(s.byMasterVersion.v1 ?? 0).to.be.greaterThan(0);
      const rot = await cli(['keys', 'rotate', '--actor', 'st_ops1'], env);
      expect(rot.code, rot.stderr).to.equal(0);
      expect(rot.stdout).to.match(new RegExp(`${s.byMasterVersion.v1} re-wrapped, \\d+ already current, 0 failed \\(v1 -> v2\\)`));
      const after = JSON.parse((await cli(['keys', 'status', '--json'], env)).stdout) as { byMasterVersion: Record<string, number> };
      expect(Object.keys(after.byMasterVersion)).to.deep.equal(['v2']);
      const entries = ((await admin.xRange('tl:audit', '-', '+')) ?? []).flatMap((e) => (e ? [e.message as Record<string, string>] : [])).filter((m) => m.type === 'keys.rotated');
      expect(entries.map((m) => [m.outcome, m.actor, m.object, m.purpose])).to.deep.equal([['started', 'st_ops1', 'v2', 'v1'], ['completed', 'st_ops1', 'v2', 'v1']]);
      expect(entries[1]!.count).to.equal(String(s.byMasterVersion.v1));
      // Appended to the same chain as the bot's own events, with the vault's audit key: the chain verifies.
      const verify = await cli(['audit', 'verify'], env);
      expect(verify.code, verify.stdout + verify.stderr).to.equal(0);
      // And the running bot, whose cache may still hold the v1 unwrap, keeps answering from the same state.
      expect((await say(bot, 'kv-conv-1', 'hello')).join('\n')).not.to.match(/keep a copy of this conversation/i);
      expectNoKeyValues(before.stdout + before.stderr + rot.stdout + rot.stderr);
    } finally {
      expect(await bot.stop()).to.equal(0);
    }
    expectNoKeyValues(bot.stdout() + bot.stderr());
  });

  describe('refuses to start, one line naming the setting and secret, no value, no fallback', () => {
    afterEach(() => { identity.refuseAll(false); seedVault(); });

    const refusals: [string, () => Promise<Record<string, string | undefined>> | Record<string, string | undefined> | void, RegExp][] = [
      ['a missing purpose key secret', () => { vault.delete('trustline-audit-key'); }, /Key Vault secret trustline-audit-key is missing or disabled: AZURE_KEYVAULT_URL$/],
      ['the only master key secret disabled', () => { vault.disable('trustline-master-v1'); }, /Key Vault holds no master key secret/],
      ['a malformed key (16 bytes)', () => { setKey('trustline-pii-hash-key', randomBytes(16).toString('base64')); }, /Key Vault secret trustline-pii-hash-key is not a 32-byte base64 key: AZURE_KEYVAULT_URL$/],
      ['an active marker naming no version in the vault', () => { vault.set('trustline-master-active', 'v7'); }, /active master key version names no master key in the vault: AZURE_KEYVAULT_URL, trustline-master-active$/],
      ['a managed identity whose token is refused', () => { identity.refuseAll(true); }, /managed identity token for Key Vault could not be obtained: AZURE_KEYVAULT_URL$/],
      ['an unreachable vault', async () => ({ AZURE_KEYVAULT_URL: `https://127.0.0.1:${await freePort()}` }), /Key Vault is not reachable: AZURE_KEYVAULT_URL$/],
      ['keys in the environment as well (never a mix or a fallback)', () => ({ TRUSTLINE_MASTER_KEYS: `v1:${key()}` }), /not allowed with TRUSTLINE_KEY_PROVIDER=keyvault .*: TRUSTLINE_MASTER_KEYS$/],
    ];
    for (const [name, arrange, line] of refusals) {
      it(`refuses ${name}`, async () => {
        const extra = (await arrange()) ?? {};
        const started = Date.now();
        const bot = await spawnBot({ ...env, ...extra });
        expect(bot.url, 'must not listen').to.equal(undefined);
        expect(bot.exitCode).to.equal(2);
        const lines = bot.stderr().trim().split('\n');
        expect(lines, bot.stderr()).to.have.length(1);
        expect(lines[0]).to.match(/^trustline: refusing to start: configuration: /);
        expect(lines[0]).to.match(line);
        expect(bot.stdout()).to.equal('');
        expectNoKeyValues(bot.stderr());
        expect(Date.now() - started).to.be.lessThan(30_000);
      });
    }
  });

  describe('in process', () => {
    it('refuses Key Vault settings that are incomplete or point anywhere but a vault or a loopback stub', () => {
      const base = { TRUSTLINE_MASTER_KEYS: undefined, TRUSTLINE_KEYNAME_KEY: undefined, TRUSTLINE_AUDIT_KEY: undefined, TRUSTLINE_CODE_HASH_KEY: undefined, TRUSTLINE_PII_HASH_KEY: undefined, TRUSTLINE_KEY_PROVIDER: 'keyvault' };
      expect(() => loadConfig(testEnv(base))).to.throw(/AZURE_KEYVAULT_URL/);
      expect(() => loadConfig(testEnv({ ...base, AZURE_KEYVAULT_URL: 'http://127.0.0.1:9/' }))).to.throw(/invalid setting: AZURE_KEYVAULT_URL/);
      expect(() => loadConfig(testEnv({ ...base, AZURE_KEYVAULT_URL: 'https://kv.example.com/' }))).to.throw(/Azure Key Vault URL.*: AZURE_KEYVAULT_URL/);
      expect(() => loadConfig(testEnv({ ...base, AZURE_KEYVAULT_URL: 'https://tl-kv.vault.azure.net/', AZURE_KEYVAULT_CLIENT_ID: 'not-a-guid' }))).to.throw(/AZURE_KEYVAULT_CLIENT_ID/);
      const prod = { ...base, TRUSTLINE_PROFILE: 'production', CONSENT_PRESET: undefined, MicrosoftAppId: 'a', MicrosoftAppPassword: 'b', REDIS_URL: 'rediss://r.internal:6380', KEYSTORE_REDIS_URL: 'rediss://k.internal:6380', REDIS_USERNAME: 'trustline', REDIS_PASSWORD: 'p' };
      // A loopback vault is a test stub: refused in production without the phrase.
      expect(() => loadConfig(testEnv({ ...prod, AZURE_KEYVAULT_URL: 'https://127.0.0.1:8443/' }))).to.throw(/test stubs are refused in production: AZURE_KEYVAULT_URL/);
      const real = loadConfig(testEnv({ ...prod, AZURE_KEYVAULT_URL: 'https://tl-kv.vault.azure.net/' }));
      expect(real.pendingKeyVault).to.deep.include({ url: 'https://tl-kv.vault.azure.net/', prefix: 'trustline', testStub: false });
      expect(real.secrets.masterKeys).to.have.length(0);
      expect(real.config.ops.testStubs).to.equal(false);
    });

    it('never builds an app from a configuration whose vault keys were not fetched', async () => {
      const { createApp } = await import('../../app.js');
      const pending = loadConfig(testEnv({ TRUSTLINE_MASTER_KEYS: undefined, TRUSTLINE_KEYNAME_KEY: undefined, TRUSTLINE_AUDIT_KEY: undefined, TRUSTLINE_CODE_HASH_KEY: undefined, TRUSTLINE_PII_HASH_KEY: undefined, TRUSTLINE_KEY_PROVIDER: 'keyvault', AZURE_KEYVAULT_URL: 'https://tl-kv.vault.azure.net/' }));
      let error: unknown;
      try { await createApp(pending); } catch (err) { error = err; }
      expect(String(error)).to.match(/keys not loaded/);
    });

    it('rejects purpose keys from the vault that equal each other (same rule as the environment)', async () => {
      const same = key();
      const fake: SecretSource = {
        listEnabled: async () => ['trustline-master-v1', 'trustline-master-active'],
        get: async (n) => (n === 'trustline-master-active' ? 'v1' : n.endsWith('-key') ? same : key()),
      };
      const pending = loadConfig(testEnv({ TRUSTLINE_MASTER_KEYS: undefined, TRUSTLINE_KEYNAME_KEY: undefined, TRUSTLINE_AUDIT_KEY: undefined, TRUSTLINE_CODE_HASH_KEY: undefined, TRUSTLINE_PII_HASH_KEY: undefined, TRUSTLINE_KEY_PROVIDER: 'keyvault', AZURE_KEYVAULT_URL: 'https://tl-kv.vault.azure.net/' }));
      let error: unknown;
      try { await resolveKeys(pending, { source: fake }); } catch (err) { error = err; }
      expect(String(error)).to.match(/purpose keys must differ/);
      expect(String(error)).not.to.include(same);
    });
  });
});
