import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, ConfigError } from '../config.js';
import { key, testEnv } from './support/app.js';

function configError(env: Record<string, string | undefined>): ConfigError {
  try { loadConfig(env); } catch (e) { if (e instanceof ConfigError) return e; throw e; }
  throw new Error('expected a ConfigError');
}

const PROD_OK = () => ({
  TRUSTLINE_PROFILE: 'production', MicrosoftAppId: '00000000-0000-0000-0000-000000000001', MicrosoftAppPassword: 'not-a-real-secret-value',
  REDIS_URL: 'redis://127.0.0.1:1', KEYSTORE_REDIS_URL: 'redis://127.0.0.1:2', TRUSTLINE_MASTER_KEYS: `v1:${key()}`,
  REDIS_USERNAME: 'trustline', REDIS_PASSWORD: 'redis-acl-password', KEYSTORE_REDIS_PASSWORD: 'keystore-acl-password',
  TRUSTLINE_KEYNAME_KEY: key(), TRUSTLINE_AUDIT_KEY: key(), TRUSTLINE_CODE_HASH_KEY: key(), TRUSTLINE_PII_HASH_KEY: key(),
});

describe('configuration', () => {
  it('defaults to the development profile with the local chat on and auth off', () => {
    const { config } = loadConfig(testEnv());
    expect(config.profile).to.equal('development');
    expect(config.localChatEnabled).to.equal(true);
    expect(config.bot.appId).to.equal('');
    expect(config.redisUrl).to.equal(undefined);
  });

  it('returns frozen configuration and secrets', () => {
    const { config, secrets } = loadConfig(testEnv());
    expect(Object.isFrozen(config)).to.equal(true);
    expect(Object.isFrozen(secrets)).to.equal(true);
    expect(Object.isFrozen(config.retention)).to.equal(true);
  });

  it('generates development keys once into a 0600 file and reuses them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tl-cfg-'));
    const file = join(dir, 'sub', 'dev-keys.json');
    const env = { TRUSTLINE_DEV_KEY_FILE: file };
    const first = loadConfig(env, dir);
    expect(first.generatedDevKeyFile).to.equal(file);
    expect(statSync(file).mode & 0o777).to.equal(0o600);
    const second = loadConfig(env, dir);
    expect(second.generatedDevKeyFile).to.equal(undefined);
    expect(Buffer.from(second.secrets.masterKeys[0]!.key).equals(Buffer.from(first.secrets.masterKeys[0]!.key))).to.equal(true);
  });

  it('starts in production with every required setting', () => {
    const { config } = loadConfig(PROD_OK());
    expect(config.profile).to.equal('production');
    expect(config.localChatEnabled).to.equal(false);
  });

  const required = ['MicrosoftAppId', 'MicrosoftAppPassword', 'REDIS_URL', 'KEYSTORE_REDIS_URL', 'TRUSTLINE_MASTER_KEYS', 'TRUSTLINE_KEYNAME_KEY', 'TRUSTLINE_AUDIT_KEY', 'TRUSTLINE_CODE_HASH_KEY', 'TRUSTLINE_PII_HASH_KEY'];
  for (const name of required) {
    it(`refuses production without ${name}, naming it`, () => {
      const env: Record<string, string | undefined> = PROD_OK();
      delete env[name];
      const e = configError(env);
      expect(e.settings).to.include(name);
    });
  }

  it('never generates development keys in production', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tl-cfg-'));
    const env: Record<string, string | undefined> = { ...PROD_OK(), TRUSTLINE_DEV_KEY_FILE: join(dir, 'k.json') };
    delete env.TRUSTLINE_MASTER_KEYS;
    configError(env);
    expect(existsSync(join(dir, 'k.json'))).to.equal(false);
  });

  it('accepts a managed identity without a password', () => {
    const env: Record<string, string | undefined> = { ...PROD_OK(), MicrosoftAppType: 'UserAssignedMSI', MicrosoftAppTenantId: 'tenant' };
    delete env.MicrosoftAppPassword;
    expect(loadConfig(env).config.bot.appType).to.equal('UserAssignedMSI');
  });

  it('names a malformed key without quoting its value', () => {
    const secret = 'c2VjcmV0LXRoYXQtaXMtdG9vLXNob3J0';
    const e = configError({ ...PROD_OK(), TRUSTLINE_AUDIT_KEY: secret });
    expect(e.message).to.include('TRUSTLINE_AUDIT_KEY');
    expect(e.message).to.not.include(secret);
  });

  it('rejects an active master version that is not configured', () => {
    expect(configError({ ...PROD_OK(), TRUSTLINE_ACTIVE_MASTER_KEY: 'v9' }).settings).to.deep.equal(['TRUSTLINE_ACTIVE_MASTER_KEY']);
  });

  it('rejects purpose keys that are equal to each other', () => {
    const k = key();
    expect(configError({ ...PROD_OK(), TRUSTLINE_AUDIT_KEY: k, TRUSTLINE_CODE_HASH_KEY: k }).message).to.match(/differ/);
  });

  it('rejects bad values by name: port, profile, Redis URL', () => {
    expect(configError(testEnv({ PORT: 'abc' })).settings).to.deep.equal(['PORT']);
    expect(configError(testEnv({ TRUSTLINE_PROFILE: 'staging' })).settings).to.deep.equal(['TRUSTLINE_PROFILE']);
    expect(configError(testEnv({ REDIS_URL: 'http://x' })).settings).to.deep.equal(['REDIS_URL']);
  });

  it('reads PII operators per entity and refuses tokenised card numbers', () => {
    expect(loadConfig(testEnv({ PII_OPERATORS: 'EMAIL=hash, PHONE=mask' })).config.piiOperators).to.deep.equal({ EMAIL: 'hash', PHONE: 'mask' });
    expect(configError(testEnv({ PII_OPERATORS: 'CREDIT_CARD=token' })).settings).to.deep.equal(['PII_OPERATORS']);
    expect(configError(testEnv({ PII_OPERATORS: 'NOPE=replace' })).settings).to.deep.equal(['PII_OPERATORS']);
    expect(configError(testEnv({ PII_OPERATORS: 'EMAIL=shred' })).settings).to.deep.equal(['PII_OPERATORS']);
  });

  it('lists every setting of the schema in .env.example', async () => {
    const { readFileSync } = await import('node:fs');
    const example = readFileSync('.env.example', 'utf8');
    const { SETTING_NAMES } = await import('../config.js');
    for (const name of SETTING_NAMES) expect(example, name).to.match(new RegExp(`^#? ?${name}=`, 'm'));
  });

  it('reads master keys in the versioned list form', () => {
    const { secrets } = loadConfig({ ...PROD_OK(), TRUSTLINE_MASTER_KEYS: `v1:${key()},v2:${key()}`, TRUSTLINE_ACTIVE_MASTER_KEY: 'v1' });
    expect(secrets.masterKeys.map((k) => k.version)).to.deep.equal(['v1', 'v2']);
    expect(secrets.activeMasterVersion).to.equal('v1');
  });

  describe('the bot process', () => {
    function run(env: Record<string, string | undefined>): Promise<{ code: number | null; stderr: string; stdout: string }> {
      return new Promise((resolve) => {
        const p = spawn(process.execPath, ['--import', 'tsx', '--disable-warning=DEP0111', 'index.ts'], { env: { PATH: process.env.PATH, ...env } as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] });
        let stderr = ''; let stdout = '';
        p.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
        p.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
        const t = setTimeout(() => p.kill('SIGKILL'), 20000);
        p.on('exit', (code) => { clearTimeout(t); resolve({ code, stderr, stdout }); });
      });
    }

    it('refuses to start in production without an app id: non-zero exit and one line', async () => {
      const env: Record<string, string | undefined> = PROD_OK();
      delete env.MicrosoftAppId;
      const r = await run(env);
      expect(r.code).to.not.equal(0);
      const lines = r.stderr.trim().split('\n');
      expect(lines).to.have.length(1);
      expect(lines[0]).to.match(/refusing to start.*MicrosoftAppId/);
      expect(r.stderr).to.not.include(env.MicrosoftAppPassword!);
    });

    it('starts in production with everything set (and serves /healthz)', async () => {
      const port = 20000 + Math.floor(Math.random() * 20000);
      const p = spawn(process.execPath, ['--import', 'tsx', '--disable-warning=DEP0111', 'index.ts'], { env: { PATH: process.env.PATH, ...PROD_OK(), PORT: String(port), HOST: '127.0.0.1', REDIS_CONNECT_TIMEOUT_MS: '200' } as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] });
      try {
        let status = 0;
        const until = Date.now() + 20000;
        while (Date.now() < until && status !== 200) {
          try { status = (await fetch(`http://127.0.0.1:${port}/healthz`)).status; } catch { await new Promise((r) => setTimeout(r, 100)); }
        }
        expect(status).to.equal(200);
        // No local chat page in production.
        expect((await fetch(`http://127.0.0.1:${port}/`)).status).to.equal(404);
      } finally {
        p.kill('SIGTERM');
        await new Promise((r) => p.once('exit', r));
      }
    });
  });
});
