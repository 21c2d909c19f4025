/**
 * Redis in production (issue 8 item 3; SECURITY-CHECKLIST RES-3, RES-4): the shipped deployment/redis configs (TLS
 * only, ACL with `default` off, AOF everysec) run under a real redis-server with a throwaway CA; the bot works over
 * TLS as its ACL users, and those users are refused everything admin. A static check keeps the ACL in step with
 * the commands the code uses.
 */
import { expect } from 'chai';
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createClient, type RedisClientType } from 'redis';
import { startApp, turn, type RunningApp } from '../support/app.js';
import { makeTestCa, startTlsRedis, type TlsRedis } from './support/tlsRedis.js';
import { loadConfig, ConfigError } from '../../config.js';
import { testEnv, key } from '../support/app.js';

async function refused(p: Promise<unknown>): Promise<string> {
  try { await p; } catch (e) { return (e as Error).message; }
  throw new Error('expected the command to be refused');
}

describe('production Redis: TLS, ACL, AOF (deployment/redis)', function () {
  this.timeout(40_000);
  let data: TlsRedis;
  let keystore: TlsRedis;
  let bot: RunningApp;

  before(async () => {
    data = await startTlsRedis('data');
    keystore = await startTlsRedis('keystore', { ca: data.ca, passwords: data.passwords });
    bot = await startApp({
      REDIS_URL: data.url, KEYSTORE_REDIS_URL: keystore.url, REDIS_TLS_CA_FILE: data.ca.caFile,
      REDIS_USERNAME: 'trustline', REDIS_PASSWORD: data.passwords.TRUSTLINE_REDIS_PASSWORD,
      KEYSTORE_REDIS_USERNAME: 'trustline-keys', KEYSTORE_REDIS_PASSWORD: data.passwords.TRUSTLINE_KEYSTORE_REDIS_PASSWORD,
    });
  });
  after(async () => {
    await bot?.stop();
    await keystore?.stop();
    await data?.stop();
  });

  it('runs a conversation over TLS as the ACL users', async () => {
    const ready = await (await fetch(`${bot.url}/readyz`)).json() as { redis: string; keystore: string };
    expect(ready).to.include({ redis: 'up', keystore: 'up' });
    const first = await turn(bot.url, 'hello', { conversationId: 'tls-1' });
    expect(first.status).to.equal(200);
    expect(first.texts.length).to.be.greaterThan(0);
    const second = await turn(bot.url, 'where is my order', { conversationId: 'tls-1' });
    expect(second.status).to.equal(200);
    expect(second.texts.join(' ')).not.to.match(/temporarily unavailable/i);
    const c = await data.client('trustline', data.passwords.TRUSTLINE_REDIS_PASSWORD!);
    const keys: string[] = [];
    for await (const batch of c.scanIterator({ MATCH: 'tl:*', COUNT: 100 })) keys.push(...(batch as string[]));
    expect(keys.some((k) => k.startsWith('tl:state:'))).to.equal(true);
    const k = await keystore.client('trustline-keys', data.passwords.TRUSTLINE_KEYSTORE_REDIS_PASSWORD!);
    const wrapped: string[] = [];
    for await (const batch of k.scanIterator({ MATCH: 'tl:key:*', COUNT: 100 })) wrapped.push(...(batch as string[]));
    expect(wrapped.length).to.be.greaterThan(0);
    expect(bot.logs.text()).not.to.include(data.passwords.TRUSTLINE_REDIS_PASSWORD!);
  });

  it('gives the bot user NOPERM on FLUSHALL, CONFIG, KEYS and keys outside tl:', async () => {
    const c = await data.client('trustline', data.passwords.TRUSTLINE_REDIS_PASSWORD!);
    expect(await refused(c.flushAll())).to.match(/^NOPERM/);
    expect(await refused(c.configGet('*'))).to.match(/^NOPERM/);
    expect(await refused(c.keys('*'))).to.match(/^NOPERM/);
    expect(await refused(c.sendCommand(['FLUSHDB']))).to.match(/^NOPERM/);
    expect(await refused(c.sendCommand(['ACL', 'LIST']))).to.match(/^NOPERM/);
    expect(await refused(c.sendCommand(['SCRIPT', 'FLUSH']))).to.match(/^NOPERM/);
    expect(await refused(c.set('not-ours', 'x'))).to.match(/^NOPERM/);
    // Lua runs with the caller's permissions.
    expect(await refused(c.eval("return redis.call('FLUSHALL')", { keys: [], arguments: [] }))).to.match(/NOPERM|can't run this command/i);
    expect(await c.set('tl:acl-probe', '1')).to.equal('OK');
  });

  it('gives the key store user only tl:key:* and no admin commands', async () => {
    const k = await keystore.client('trustline-keys', data.passwords.TRUSTLINE_KEYSTORE_REDIS_PASSWORD!);
    expect(await refused(k.flushAll())).to.match(/^NOPERM/);
    expect(await refused(k.configGet('*'))).to.match(/^NOPERM/);
    expect(await refused(k.keys('*'))).to.match(/^NOPERM/);
    expect(await refused(k.get('tl:state:x'))).to.match(/^NOPERM/);
    // Allowed: after an erasure, the destroyed keys leave the AOF only with a rewrite.
    expect(await k.bgRewriteAof()).to.be.a('string');
  });

  it('turns the default user off', async () => {
    // No credentials: nothing runs (node-redis's first command already gets NOAUTH).
    const anon = createClient({ url: data.url, disableClientInfo: true, socket: { tls: true, ca: data.ca.ca, reconnectStrategy: false } });
    anon.on('error', () => undefined);
    expect(await refused((async () => { await anon.connect(); await anon.get('tl:x'); })())).to.match(/NOAUTH/);
    anon.destroy();
    // The default user with any password: refused.
    expect(await refused(data.client('default', 'anything-at-all'))).to.match(/WRONGPASS|disabled|invalid/i);
  });

  it('persists with AOF everysec and offers no plaintext port (checked as the ops user)', async () => {
    const ops = await data.client('ops', data.passwords.TRUSTLINE_REDIS_OPS_PASSWORD!);
    expect(await ops.configGet('appendonly')).to.deep.equal({ appendonly: 'yes' });
    expect(await ops.configGet('appendfsync')).to.deep.equal({ appendfsync: 'everysec' });
    expect(await ops.configGet('port')).to.deep.equal({ port: '0' });
    expect(await ops.configGet('maxmemory-policy')).to.deep.equal({ 'maxmemory-policy': 'noeviction' });
    // ops monitors and backs up; it reads no customer value.
    expect(await refused(ops.get('tl:acl-probe'))).to.match(/^NOPERM/);
    const kops = await keystore.client('ops', data.passwords.TRUSTLINE_REDIS_OPS_PASSWORD!);
    expect(await kops.configGet('appendfsync')).to.deep.equal({ appendfsync: 'everysec' });
    expect(await kops.configGet('save')).to.deep.equal({ save: '' });
  });

  it('verifies the server certificate: another CA, or plaintext, gets no connection', async () => {
    const rogue = makeTestCa('rogue');
    expect(await refused(data.client('trustline', data.passwords.TRUSTLINE_REDIS_PASSWORD!, { ca: rogue.ca }))).to.match(/certificate|self.signed|verify/i);
    rmSync(rogue.dir, { recursive: true, force: true });
    const plain = createClient({ url: `redis://127.0.0.1:${data.port}`, socket: { reconnectStrategy: false, connectTimeout: 1500 } }) as RedisClientType;
    plain.on('error', () => undefined);
    await refused((async () => { await plain.connect(); await plain.ping(); })());
    plain.destroy();
  });

  it('a bot that cannot verify Redis stays on its fixed unavailable reply (no fallback)', async () => {
    const rogue = makeTestCa('rogue-bot');
    const b = await startApp({
      REDIS_URL: data.url, KEYSTORE_REDIS_URL: keystore.url, REDIS_TLS_CA_FILE: rogue.caFile, REDIS_CONNECT_TIMEOUT_MS: '300',
      // The handoff relay's start-up waits for its own subscriber connection without a bound (reported to the lead);
      // this test is about the storage clients.
      HANDOFF_ENABLED: 'false',
      REDIS_USERNAME: 'trustline', REDIS_PASSWORD: data.passwords.TRUSTLINE_REDIS_PASSWORD,
      KEYSTORE_REDIS_USERNAME: 'trustline-keys', KEYSTORE_REDIS_PASSWORD: data.passwords.TRUSTLINE_KEYSTORE_REDIS_PASSWORD,
    });
    try {
      const ready = await (await fetch(`${b.url}/readyz`)).json() as { redis: string };
      expect(ready.redis).to.equal('down');
      const r = await turn(b.url, 'hello', { conversationId: 'tls-rogue' });
      expect(r.texts.join(' ')).to.match(/temporarily unavailable/i);
    } finally { await b.stop(); rmSync(rogue.dir, { recursive: true, force: true }); }
  });

  describe('configuration', () => {
    const prod = (extra: Record<string, string | undefined>) => testEnv({
      TRUSTLINE_PROFILE: 'production', CONSENT_PRESET: undefined, MicrosoftAppId: 'a', MicrosoftAppPassword: 'b', TRUSTLINE_MASTER_KEYS: `v1:${key()}`,
      REDIS_URL: 'rediss://redis.internal:6380', KEYSTORE_REDIS_URL: 'rediss://keys.internal:6380',
      REDIS_USERNAME: 'trustline', REDIS_PASSWORD: 'p', KEYSTORE_REDIS_USERNAME: 'trustline-keys', KEYSTORE_REDIS_PASSWORD: 'q', ...extra,
    });
    const err = (env: Record<string, string | undefined>) => { try { loadConfig(env); } catch (e) { if (e instanceof ConfigError) return e.settings; throw e; } return []; };
    it('accepts TLS with ACL users in production', () => { expect(err(prod({}))).to.deep.equal([]); });
    it('refuses plaintext Redis across the network in production (a loopback TLS sidecar is allowed)', () => {
      expect(err(prod({ REDIS_URL: 'redis://redis.internal:6379' }))).to.include('REDIS_URL');
      expect(err(prod({ KEYSTORE_REDIS_URL: 'redis://keys.internal:6379' }))).to.include('KEYSTORE_REDIS_URL');
      expect(err(prod({ REDIS_URL: 'redis://127.0.0.1:6379' }))).to.deep.equal([]);
    });
    it('refuses the default user or no password in production', () => {
      expect(err(prod({ REDIS_PASSWORD: undefined }))).to.include('REDIS_PASSWORD');
      expect(err(prod({ REDIS_USERNAME: 'default' }))).to.include('REDIS_URL');
      expect(err(prod({ REDIS_USERNAME: undefined, KEYSTORE_REDIS_USERNAME: undefined }))).to.include('REDIS_URL');
    });
    it('needs both halves of a client certificate', () => {
      expect(err(testEnv({ REDIS_TLS_CERT_FILE: '/x' }))).to.include('REDIS_TLS_KEY_FILE');
    });
  });
});

/** Commands named in the code: node-redis methods and Lua `redis.call`s, mapped to Redis command names. */
const METHOD_COMMANDS: Record<string, string[]> = {
  get: ['GET'], set: ['SET'], del: ['DEL'], unlink: ['UNLINK'], exists: ['EXISTS'], expire: ['EXPIRE'], pExpire: ['PEXPIRE'], expireAt: ['EXPIREAT'], persist: ['PERSIST'],
  ttl: ['TTL'], pTtl: ['PTTL'], incr: ['INCR'], incrBy: ['INCRBY'], decr: ['DECR'], getDel: ['GETDEL'], getEx: ['GETEX'], mGet: ['MGET'], mSet: ['MSET'], rename: ['RENAME'],
  hGet: ['HGET'], hSet: ['HSET'], hSetNX: ['HSETNX'], hmGet: ['HMGET'], hGetAll: ['HGETALL'], hDel: ['HDEL'], hExists: ['HEXISTS'], hIncrBy: ['HINCRBY'], hLen: ['HLEN'], hKeys: ['HKEYS'], hVals: ['HVALS'],
  sAdd: ['SADD'], sRem: ['SREM'], sMembers: ['SMEMBERS'], sIsMember: ['SISMEMBER'], sCard: ['SCARD'],
  zAdd: ['ZADD'], zRem: ['ZREM'], zRange: ['ZRANGE'], zRangeByScore: ['ZRANGEBYSCORE'], zRangeWithScores: ['ZRANGE'], zRevRange: ['ZREVRANGE'], zRemRangeByScore: ['ZREMRANGEBYSCORE'], zCard: ['ZCARD'], zCount: ['ZCOUNT'], zScore: ['ZSCORE'],
  lPush: ['LPUSH'], rPush: ['RPUSH'], lPop: ['LPOP'], rPop: ['RPOP'], lRange: ['LRANGE'], lLen: ['LLEN'], lTrim: ['LTRIM'], lRem: ['LREM'],
  xAdd: ['XADD'], xDel: ['XDEL'], xRange: ['XRANGE'], xRevRange: ['XREVRANGE'], xLen: ['XLEN'], xTrim: ['XTRIM'], xRead: ['XREAD'], xReadGroup: ['XREADGROUP'], xAck: ['XACK'], xGroupCreate: ['XGROUP'],
  publish: ['PUBLISH'], sPublish: ['SPUBLISH'], subscribe: ['SUBSCRIBE', 'UNSUBSCRIBE'], pSubscribe: ['PSUBSCRIBE', 'PUNSUBSCRIBE'], sSubscribe: ['SSUBSCRIBE', 'SUNSUBSCRIBE'],
  eval: ['EVAL'], evalSha: ['EVALSHA'], multi: ['MULTI', 'EXEC', 'DISCARD'], watch: ['WATCH', 'UNWATCH'], scan: ['SCAN'], scanIterator: ['SCAN'],
  hScanIterator: ['HSCAN'], sScanIterator: ['SSCAN'], zScanIterator: ['ZSCAN'], ping: ['PING'], bgRewriteAof: ['BGREWRITEAOF'], type: ['TYPE'],
};

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (['node_modules', 'dist', 'test', 'bench', '.git', 'web', 'deployment'].includes(name)) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) sourceFiles(p, out);
    else if (p.endsWith('.ts')) out.push(p);
  }
  return out;
}

function commandsUsed(files: string[]): Map<string, string> {
  const used = new Map<string, string>();
  for (const f of files) {
    const src = readFileSync(f, 'utf8');
    if (!/redis/i.test(src)) continue;
    for (const m of src.matchAll(/redis\.p?call\(\s*['"]([A-Za-z]+)['"]/g)) used.set(m[1]!.toUpperCase(), f);
    for (const m of src.matchAll(/\.([a-zA-Z]+)\(/g)) for (const c of (Object.hasOwn(METHOD_COMMANDS, m[1]!) ? METHOD_COMMANDS[m[1]!]! : [])) if (!used.has(c)) used.set(c, f);
  }
  return used;
}

function aclAllows(template: string, user: string): Set<string> {
  const line = readFileSync(template, 'utf8').split('\n').find((l) => l.startsWith(`user ${user} `));
  if (!line) throw new Error(`no ACL line for ${user}`);
  return new Set([...line.matchAll(/\s\+([a-z|]+)/g)].map((m) => m[1]!.toUpperCase()));
}

describe('Redis ACL covers the commands the code uses', () => {
  it('allows the bot user every command found in the sources (node-redis calls and Lua scripts)', () => {
    const allowed = aclAllows('deployment/redis/users-data.acl.template', 'trustline');
    const used = commandsUsed(sourceFiles('.'));
    expect(used.size, 'the scan must find the commands the code uses').to.be.greaterThan(15);
    const missing = [...used].filter(([c]) => !allowed.has(c) && c !== 'BGREWRITEAOF').map(([c, f]) => `${c} (${f})`);
    expect(missing, 'add these to deployment/redis/users-data.acl.template').to.deep.equal([]);
  });

  it('allows the key store user every command the key store and its CLI use', () => {
    const allowed = aclAllows('deployment/redis/users-keystore.acl.template', 'trustline-keys');
    const used = commandsUsed(['guards/crypto/keyStore.ts', 'cli/trustline.ts'].filter((f) => { try { return statSync(f).isFile(); } catch { return false; } }));
    // Map.get/set on the same lines would count as GET/SET: those are allowed anyway.
    const missing = [...used.keys()].filter((c) => !allowed.has(c) && !['EXEC'].includes(c));
    expect(missing).to.deep.equal([]);
  });

  it('never allows an admin or key-listing command to the bot users', () => {
    for (const [t, u] of [['deployment/redis/users-data.acl.template', 'trustline'], ['deployment/redis/users-keystore.acl.template', 'trustline-keys']] as const) {
      const allowed = aclAllows(t, u);
      for (const c of ['KEYS', 'FLUSHALL', 'FLUSHDB', 'CONFIG', 'DEBUG', 'MONITOR', 'SHUTDOWN', 'ACL', 'MODULE', 'SCRIPT', 'SAVE', 'REPLICAOF', 'SLAVEOF', 'MIGRATE', 'RESTORE', 'DUMP', 'SELECT', 'SWAPDB', 'CLIENT']) {
        expect(allowed.has(c), `${u} must not have ${c}`).to.equal(false);
      }
      expect(readFileSync(t, 'utf8')).to.match(/^user default off /m);
      expect(readFileSync(t, 'utf8')).not.to.match(/\+@all|allcommands|~\*\s|allkeys/);
    }
  });
});
