import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import type { RedisClientType } from 'redis';
import { storageContract } from '../contracts/storage.contract.js';
import { startRedisCluster, type RedisClusterProcess } from '../support/redisCluster.js';
import { startApp, testEnv, turn, type RunningApp, type TurnOptions } from '../support/app.js';
import { lastOutboxCode } from '../guards/identity/support.js';
import { ConnectorStub, StaffClient, TestClock, createStaff } from '../handoff/support.js';
import { CANARY_A, canaryValues, directoryCopy, receiptOf } from '../guards/dsr/support.js';
import { connectRedis, scanAll, slotKeyOfPattern, type ManagedRedis } from '../../guards/storage/redisClient.js';
import { RedisStorage } from '../../guards/storage/redisStorage.js';
import { EncryptedStorage, BotStateOwnerResolver } from '../../guards/storage/encryptedStorage.js';
import { DataKeyService } from '../../guards/crypto/dataKeys.js';
import { RedisKeyStore } from '../../guards/crypto/keyStore.js';
import { Pseudonymizer } from '../../guards/crypto/pseudonym.js';
import { createLogger } from '../../guards/log/logger.js';
import { RELAY_CHANNEL, RedisRelayBus, type RelayEvent } from '../../handoff/relay.js';
import { HandoffStore } from '../../handoff/store.js';
import { StaffSessions } from '../../staff/sessions.js';
import { AUDIT_STREAM_KEY, auditHeadKey } from '../../guards/audit/auditLog.js';
import { loadConfig } from '../../config.js';
import { makeTestCa } from './support/tlsRedis.js';

const silent = createLogger({ level: 'silent', destination: new Writable({ write(_c, _e, cb) { cb(); } }) });
const pseudo = new Pseudonymizer(randomBytes(32));
const masters = [{ version: 'v1', key: new Uint8Array(randomBytes(32)) }];

/**
 * Issue 8 item 4: the same code on a Redis Cluster of three masters (real redis-server processes on loopback).
 * The cluster client is what the app builds from REDIS_CLUSTER=true; everything that touches several keys at once
 * must find them in one slot, and every scan must visit every master.
 */
describe('Redis Cluster (three masters on loopback)', function () {
  this.timeout(120000);
  let cl: RedisClusterProcess;
  let managed: ManagedRedis;
  let nodes: RedisClientType[];
  const connect = (name: string) => connectRedis({ url: cl.seedUrl, cluster: true, name, connectTimeoutMs: 5000, commandTimeoutMs: 3000, log: silent });

  before(async () => {
    cl = await startRedisCluster({ masters: 3, extraArgs: ['--appendonly', 'yes'] });
    managed = await connect('cluster-test');
    nodes = await cl.nodeClients();
  });
  after(async () => { await managed?.close(); await cl?.stop(); });

  storageContract('RedisStorage on a Redis Cluster', async () => new RedisStorage(managed.commands, { prefix: 'tl:cstate:', keyName: (k) => pseudo.hash('state', k), ttlSeconds: 600 }));

  storageContract('EncryptedStorage(RedisStorage) on a Redis Cluster', async () => new EncryptedStorage(
    new RedisStorage(managed.commands, { prefix: 'tl:cenc:', keyName: (k) => pseudo.hash('state', k), ttlSeconds: 600 }),
    new DataKeyService(new RedisKeyStore(managed.commands, 600), masters, 'v1'),
    new BotStateOwnerResolver(pseudo),
    { maxEnvelopeBytes: 1 << 20 },
  ));

  describe('the client', () => {
    it('connected to every master, and the contract suites wrote to more than one of them', async () => {
      expect(managed.kind).to.equal('cluster');
      expect(managed.isReady()).to.equal(true);
      const where = await cl.keysByMaster('tl:c*');
      expect(where.size).to.be.greaterThan(10);
      expect(new Set(where.values()).size).to.be.greaterThan(1);
    });

    it('scans every master, and only the owner of the slot for a pattern with a literal hash tag', async () => {
      const keys = Array.from({ length: 300 }, (_, i) => `tl:scan:{k${i}}`);
      await Promise.all(keys.map((k) => managed.commands.set(k, '1')));
      const where = await cl.keysByMaster('tl:scan:*');
      expect(new Set(where.values()).size, 'keys spread over the masters').to.equal(3);
      const found: string[] = [];
      for await (const batch of scanAll(managed.commands, { MATCH: 'tl:scan:*', COUNT: 50 })) found.push(...batch);
      expect(found.sort()).to.deep.equal([...keys].sort());
      // The keyStore's scan is the same helper through RedisCommands.
      const raw: string[] = [];
      for await (const batch of managed.raw.scanIterator({ MATCH: 'tl:scan:*', COUNT: 50 })) raw.push(...(batch as unknown as string[]));
      expect(raw.length).to.equal(300);

      const scans = async () => Promise.all(nodes.map(async (n) => Number(/cmdstat_scan:calls=(\d+)/.exec(await n.info('commandstats'))?.[1] ?? 0)));
      const before = await scans();
      const tagged: string[] = [];
      for await (const batch of scanAll(managed.raw, { MATCH: 'tl:scan:{k7}*' })) tagged.push(...batch);
      expect(tagged).to.deep.equal(['tl:scan:{k7}']);
      const after = await scans();
      const owner = await cl.masterOf('tl:scan:{k7}');
      expect(after.map((n, i) => n - before[i]!).map((d) => d > 0)).to.deep.equal([0, 1, 2].map((i) => i === owner));
    });

    it('is chosen by REDIS_CLUSTER; the key store follows it only when it shares the data Redis', () => {
      const c = (e: Record<string, string>) => loadConfig(testEnv({ REDIS_URL: 'redis://127.0.0.1:7000', ...e })).config;
      expect([c({}).redisCluster, c({}).keystoreRedisCluster]).to.deep.equal([false, false]);
      expect([c({ REDIS_CLUSTER: 'true' }).redisCluster, c({ REDIS_CLUSTER: 'true' }).keystoreRedisCluster]).to.deep.equal([true, true]);
      expect(c({ REDIS_CLUSTER: 'true', KEYSTORE_REDIS_URL: 'redis://127.0.0.1:7100' }).keystoreRedisCluster).to.equal(false);
      expect(c({ REDIS_CLUSTER: 'false', KEYSTORE_REDIS_URL: 'redis://127.0.0.1:7100', KEYSTORE_REDIS_CLUSTER: 'TRUE' }).keystoreRedisCluster).to.equal(true);
      expect(() => c({ KEYSTORE_REDIS_CLUSTER: 'maybe' })).to.throw();
    });

    it('recognises which scan patterns pin one slot', () => {
      const table: [string, string | undefined][] = [
        ['tl:otp:{acct}:*', 'tl:otp:{acct}'], ['tl:ho:msg:{*}', undefined], ['tl:state:*', undefined], ['tl:*:{x}', undefined],
        ['tl:{}:*', undefined], ['tl:key:{o}', 'tl:key:{o}'], ['tl:{a?}:*', undefined], ['tl:x{', undefined],
      ];
      for (const [p, want] of table) expect(slotKeyOfPattern(p), p).to.equal(want);
    });

    it('refuses a scan of an unreachable cluster instead of finding nothing', async () => {
      const dead = await connectRedis({ url: 'redis://127.0.0.1:1', cluster: true, name: 'dead', connectTimeoutMs: 200, commandTimeoutMs: 300, log: silent });
      try {
        expect(dead.isReady()).to.equal(false);
        let err: unknown;
        try { for await (const _ of scanAll(dead.commands, { MATCH: 'tl:*' })) { /* nothing */ } } catch (e) { err = e; }
        expect(err).to.be.instanceOf(Error);
        err = undefined;
        try { await dead.commands.get('tl:x'); } catch (e) { err = e; }
        expect(err, 'commands fail fast while the cluster is unknown').to.be.instanceOf(Error);
      } finally { await dead.close(); }
    });

    it('runs admin commands on every master (eachMaster)', async () => {
      const ids = await managed.eachMaster((n) => n.sendCommand(['CLUSTER', 'MYID']) as Promise<string>);
      expect(new Set(ids).size).to.equal(3);
    });

    it('relays an event published through any master to a subscriber on another instance', async () => {
      const other = await connect('cluster-test-b');
      const busA = new RedisRelayBus(managed.raw, silent);
      const busB = new RedisRelayBus(other.raw, silent);
      try {
        await busA.start();
        await busB.start();
        const got: RelayEvent[] = [];
        busB.subscribe((e) => got.push(e));
        const c = `c_${'A'.repeat(22)}`;
        await busA.publish({ kind: 'queued', c });
        // Straight through each master: classic pub/sub reaches the subscriber wherever its connection is.
        for (const n of nodes) await n.publish(RELAY_CHANNEL, JSON.stringify({ kind: 'message', c, id: `${nodes.indexOf(n) + 1}-0` }));
        const until = Date.now() + 5000;
        while (got.length < 4 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
        // Events from different nodes cross the cluster bus independently: their order is not kept.
        expect(got.sort((x, y) => String(x.id ?? '').localeCompare(String(y.id ?? '')))).to.deep.equal([{ kind: 'queued', c }, { kind: 'message', c, id: '1-0' }, { kind: 'message', c, id: '2-0' }, { kind: 'message', c, id: '3-0' }]);
      } finally {
        await busA.close(); await busB.close(); await other.close();
      }
    });

    it('works as the bot\'s ACL user of deployment/redis on every master (discovery, scripts, scans, pub/sub)', async () => {
      const line = readFileSync('deployment/redis/users-data.acl.template', 'utf8').split('\n').find((l) => l.startsWith('user trustline '))!;
      const rules = line.split(' ').slice(2).filter((r) => r && !r.startsWith('#'));
      const pw = randomBytes(12).toString('base64url');
      // ACL users are per node (a cluster does not share them): every master gets the shipped line.
      for (const n of nodes) await n.sendCommand(['ACL', 'SETUSER', 'trustline', 'reset', ...rules, `>${pw}`]);
      const bot = await connectRedis({ url: cl.seedUrl, cluster: true, name: 'acl', username: 'trustline', password: pw, connectTimeoutMs: 5000, commandTimeoutMs: 3000, log: silent });
      const bus = new RedisRelayBus(bot.raw, silent);
      try {
        expect(bot.isReady()).to.equal(true);
        const keys = Array.from({ length: 30 }, (_, i) => `tl:acl:{${i}}`);
        await Promise.all(keys.map((k) => bot.commands.eval("return redis.call('SET', KEYS[1], ARGV[1])", { keys: [k], arguments: ['1'] })));
        expect(new Set(await Promise.all(keys.map((k) => cl.masterOf(k)))).size).to.equal(3);
        const found: string[] = [];
        for await (const batch of scanAll(bot.commands, { MATCH: 'tl:acl:*' })) found.push(...batch);
        expect(found.sort()).to.deep.equal([...keys].sort());
        // Outside tl:* the bot is refused on every master: each node connection is the ACL user, not `default`.
        const refusedOn = new Set<number>();
        for (let i = 0; i < 30; i++) {
          try { await bot.commands.set(`x:{${i}}`, '1'); } catch (e) { if (/NOPERM/.test((e as Error).message)) refusedOn.add(await cl.masterOf(`x:{${i}}`)); }
        }
        expect([...refusedOn].sort()).to.deep.equal([0, 1, 2]);
        await bus.start();
        const got: RelayEvent[] = [];
        bus.subscribe((e) => got.push(e));
        await bus.publish({ kind: 'ended', c: `c_${'B'.repeat(22)}` });
        const until = Date.now() + 3000;
        while (!got.length && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
        expect(got).to.have.length(1);
      } finally {
        await bus.close();
        await bot.close();
        for (const n of nodes) await n.sendCommand(['ACL', 'DELUSER', 'trustline']);
      }
    });

    it('keeps staff sessions whose key and account set live on different masters, and ends them all', async () => {
      const sessions = new StaffSessions(managed.raw, Date.now);
      const limits = { idleMs: 60_000, absoluteMs: 600_000 };
      const staffId = `st_${randomBytes(6).toString('hex')}`;
      const setMaster = await cl.masterOf(`tl:staff:sessions:${staffId}`);
      const sids: string[] = [];
      let crossed = false;
      for (let i = 0; i < 40 && !crossed; i++) {
        const { sid, session } = await sessions.create(staffId, true, 'password_totp', limits);
        sids.push(sid);
        crossed = (await cl.masterOf(`tl:staff:sess:${session.ref}`)) !== setMaster;
      }
      expect(crossed, 'a session on another master than its set').to.equal(true);
      for (const sid of sids) expect((await sessions.get(sid, async () => limits))?.staffId).to.equal(staffId);
      expect(await sessions.destroyAll(staffId)).to.equal(sids.length);
      for (const sid of sids) expect(await sessions.get(sid, async () => limits)).to.equal(undefined);
      expect((await cl.keysByMaster('tl:staff:sess*')).size).to.equal(0);
    });
  });

  describe('the whole bot, two instances on the cluster', () => {
    let a: RunningApp;
    let b: RunningApp;
    let stub: ConnectorStub;
    const clock = new TestClock();
    let seq = 0;
    const conv = (tag: string): TurnOptions => ({ conversationId: `cl-${tag}-${++seq}-${Date.now()}`, userId: `cl-user-${seq}`, locale: 'en-US', extra: { serviceUrl: stub.url } });
    const say = async (app: RunningApp, o: TurnOptions, text: string) => {
      const r = await turn(app.url, text, o);
      expect(r.status, text).to.equal(200);
      return r.texts.join('\n');
    };

    before(async () => {
      // The contract suites above sealed with keys of their own: the bot's key store starts empty.
      for await (const batch of scanAll(managed.commands, { MATCH: 'tl:key:*' })) if (batch.length) await managed.commands.del(batch);
      stub = await new ConnectorStub().start();
      const shared = testEnv({
        REDIS_URL: cl.seedUrl, REDIS_CLUSTER: 'true', CONSENT_PRESET: 'keep', CUSTOMER_DIRECTORY_FILE: directoryCopy(), DSR_KEYSTORE_AOF_REWRITE: 'true',
        HANDOFF_OFFER_AFTER_SECONDS: '120', HANDOFF_SWEEP_SECONDS: '3600', RETENTION_SWEEP_MINUTES: '0',
      });
      a = await startApp({ ...shared, INSTANCE_NAME: 'cluster-a' }, { clock });
      b = await startApp({ ...shared, INSTANCE_NAME: 'cluster-b' }, { clock });
    });
    after(async () => { await a?.stop(); await b?.stop(); await stub?.stop(); });

    it('verifies a customer: wrong codes are counted on the account (across instances), then the right code verifies', async () => {
      const o = conv('verify');
      await say(a, o, 'where is my order?');
      expect(await say(b, o, 'avery@example.com')).to.match(/If that matches an account/);
      const code = (await lastOutboxCode(b))!.code;
      const wrong = (n: number) => String((Number(code) + n) % 1_000_000).padStart(6, '0');
      const account = a.app.identity.otp.accountOfCustomer('C100001');
      const before = await a.app.identity.otpStore.failures(account, clock.now());
      expect(await say(a, o, wrong(1))).to.not.match(/you are verified/);
      expect(await say(b, o, wrong(2))).to.not.match(/you are verified/);
      expect(await b.app.identity.otpStore.failures(account, clock.now())).to.equal(before + 2);
      expect(await say(a, o, code)).to.match(/you are verified[\s\S]*TL-10001/);
      expect(await say(b, o, 'where is my order?')).to.match(/TL-10001/);
      // The account's challenge, failure, send and lock keys share its hash tag: one slot, so one script runs on them.
      const otpKeys = [...(await cl.keysByMaster(`tl:otp:{${account}}:*`)).keys()];
      expect(otpKeys.length).to.be.greaterThan(1);
      expect(new Set(await Promise.all(otpKeys.map((k) => cl.masterOf(k)))).size).to.equal(1);
    });

    it('hands off: an agent on instance B claims a conversation from A, and messages relay both ways', async () => {
      const o = conv('handoff');
      const c = a.app.pseudonyms.conversationOwner('test', o.conversationId!);
      expect(await say(a, o, 'I want to talk to a person please')).to.match(/queue; the wait is roughly/);
      const agent = await createStaff(b, ['agent']);
      const ag = new StaffClient(b.url);
      clock.advance(31_000);
      await ag.login(agent, clock.now());
      const events = new AbortController();
      let sse = '';
      const sseDone = fetch(`${b.url}/api/staff/events`, { headers: { Cookie: ag.cookie, Accept: 'text/event-stream' }, signal: events.signal })
        .then(async (res) => { for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) sse += Buffer.from(chunk).toString('utf8'); })
        .catch(() => undefined);
      try {
        expect(((await ag.req('GET', '/api/staff/queue')).json.items as { id: string }[]).some((i) => i.id === c)).to.equal(true);
        expect((await ag.req('POST', `/api/staff/conversations/${c}/claim`)).status).to.equal(200);
        await stub.waitFor((t) => /joined the conversation/.test(t), o.conversationId);
        // Customer -> agent: the turn runs on A, the agent's live stream on B hears of it through the relay.
        expect(await say(a, o, 'hello, my parcel never came')).to.equal('');
        const until = Date.now() + 5000;
        while (!/event: message/.test(sse) && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
        expect(sse).to.match(/event: message/);
        expect(sse).to.include('my parcel never came');
        // Agent -> customer: sent from B, through the connector.
        expect((await ag.req('POST', `/api/staff/conversations/${c}/messages`, { text: 'Hello, Dana here, I am checking the parcel.' })).status).to.equal(200);
        await stub.waitFor((t) => t.includes('Dana here'), o.conversationId);
        expect((await ag.req('POST', `/api/staff/conversations/${c}/handback`)).status).to.equal(200);
        await stub.waitFor((t) => /back with the Trustline assistant/.test(t), o.conversationId);
      } finally {
        events.abort();
        await sseDone;
      }
      // The conversation's handoff records share its hash tag (one script, one slot); the audit stream and its head too.
      const k = HandoffStore.keysOf(c);
      expect(new Set(await Promise.all([k.meta, k.messages, k.tokens, k.reveals].map((x) => cl.masterOf(x)))).size).to.equal(1);
      expect(await cl.masterOf(AUDIT_STREAM_KEY)).to.equal(await cl.masterOf(auditHeadKey(AUDIT_STREAM_KEY)));
      const tx = [`tl:tx:{${c}}`, `tl:txm:{${c}}`, `tl:tok:{${c}}`];
      expect((await cl.keysByMaster(`tl:tx:{${c}}`)).size, 'transcript written').to.equal(1);
      expect(new Set(await Promise.all(tx.map((x) => cl.masterOf(x)))).size).to.equal(1);
    });

    it('finds contact references and breach-scope records on every master', async () => {
      for (let i = 0; i < 12; i++) await say(i % 2 ? a : b, conv('spread'), 'hello');
      const refs = await cl.keysByMaster('tl:ref:*');
      expect(new Set(refs.values()).size, 'references spread over the masters').to.be.greaterThan(1);
      const found: string[] = [];
      for await (const ids of a.app.compliance!.contacts.conversations()) found.push(...ids);
      expect(found.map((c) => `tl:ref:{${c}}`).sort()).to.deep.equal([...refs.keys()].sort());

      const state = await cl.keysByMaster('tl:state:*');
      expect(new Set(state.values()).size, 'conversation state spread over the masters').to.be.greaterThan(1);
      const r = await b.app.compliance!.scope.run({ masterVersion: 'v1', classes: ['state', 'handoff'] });
      expect(r.byClass.state).to.equal(state.size);
      expect(r.byClass.handoff).to.be.greaterThan(0);
    });

    it('erases a subject: the erasure completes and nothing of the subject is left on any master', async () => {
      const o = conv('erase');
      const talk = (t: string) => say(a, o, t);
      await talk('where is my order?');
      clock.advance(16 * 60_000);
      expect(await talk(CANARY_A.phone)).to.match(/If that matches an account/);
      expect(await talk((await lastOutboxCode(a))!.code)).to.include(CANARY_A.orders[0].orderNumber);
      await talk(`you can write to ${CANARY_A.email}`);
      const link = (await a.app.identity.index.lookup(CANARY_A.customerNumber))!;
      const conversations = await a.app.identity.index.conversationsOf(CANARY_A.customerNumber);
      const ids = [link.owner, link.pseudonym, ...conversations, a.app.identity.otp.accountOfCustomer(CANARY_A.customerNumber), a.app.pseudonyms.hash('subject', CANARY_A.customerNumber)];
      const beforeKeys = [...(await cl.keysByMaster()).keys()].filter((k) => ids.some((id) => k.includes(id)));
      expect(beforeKeys.length).to.be.greaterThan(3);
      const aof = async () => Promise.all(nodes.map(async (n) => Number(/aof_rewrites:(\d+)/.exec(await n.info('persistence'))?.[1] ?? -1)));
      const rewritesBefore = await aof();

      clock.advance(60_000);
      const explain = await talk('delete everything about me');
      const expl = /Do you want us to delete/.test(explain) ? explain : await (async () => {
        expect(await talk(CANARY_A.phone)).to.match(/If that matches an account/);
        return talk((await lastOutboxCode(a))!.code);
      })();
      expect(expl).to.match(/Do you want us to delete/);
      const receipt = receiptOf(await talk('yes'));
      const rec = await b.app.dsr.ledger.get(receipt);
      expect(rec).to.include({ type: 'erase', status: 'completed', outcome: 'erased' });
      expect(rec?.steps).to.include.members(['erase:conversationState', 'erase:transcripts', 'erase:verificationCodes', 'index', 'keys', 'aof']);

      // Every master, every key and value: no identifier of A, no canary value.
      let scanned = 0;
      for (const n of nodes) {
        for await (const batch of n.scanIterator({ MATCH: '*', COUNT: 1000 })) {
          for (const k of batch as unknown as string[]) {
            scanned++;
            for (const id of ids) expect(k, `key ${k}`).to.not.include(id);
            const type = await n.type(k);
            const v = type === 'string' ? await n.get(k) : type === 'hash' ? JSON.stringify(await n.hGetAll(k)) : type === 'set' ? JSON.stringify(await n.sMembers(k))
              : type === 'zset' ? JSON.stringify(await n.zRange(k, 0, -1)) : type === 'stream' ? JSON.stringify(await n.xRange(k, '-', '+')) : '';
            for (const c of canaryValues(CANARY_A)) expect(String(v), k).to.not.include(c);
          }
        }
      }
      expect(scanned).to.be.greaterThan(50);
      // The key store shares the cluster here: BGREWRITEAOF ran on every master, not on one picked at random.
      const rewritesAfter = await aof();
      expect(rewritesAfter.every((n, i) => n > rewritesBefore[i]!), `${rewritesBefore} -> ${rewritesAfter}`).to.equal(true);
    });

    it('answers the fixed unavailable reply while the cluster is paused or a master is down, and recovers by itself', async () => {
      const o = conv('outage');
      expect(await say(a, o, 'hello')).to.match(/Hello/);
      for (const n of cl.nodes) n.proc.kill('SIGSTOP');
      const t0 = Date.now();
      let paused: string;
      try { paused = await say(a, o, 'zzqx one'); } finally { for (const n of cl.nodes) n.proc.kill('SIGCONT'); }
      expect(Date.now() - t0, 'bounded by the per-command deadline').to.be.lessThan(5000);
      expect(paused).to.match(/temporarily unavailable/);
      await new Promise((r) => setTimeout(r, 300));
      expect(await say(a, o, 'zzqx two')).to.match(/didn't get that/);

      // The master holding this conversation's state dies: the fixed reply, readiness says down; it comes back
      // (same node, same slots, its AOF) and the same instance serves the conversation again, no restart.
      const stateKey = `tl:state:{${a.app.pseudonyms.hash('state', `test/conversations/${o.conversationId}/`)}}`;
      expect((await cl.keysByMaster(stateKey)).size, 'state key name').to.equal(1);
      const m = await cl.masterOf(stateKey);
      await cl.killNode(m);
      try {
        expect(await say(a, o, 'zzqx three')).to.match(/temporarily unavailable/);
        expect(((await (await fetch(`${a.url}/readyz`)).json()) as { redis?: string }).redis).to.equal('down');
      } finally {
        await cl.restartNode(m);
        nodes = await cl.nodeClients();
      }
      // The node client reconnects in the background (bounded backoff): readiness first, then the turn.
      const until = Date.now() + 15_000;
      while (((await (await fetch(`${a.url}/readyz`)).json()) as { redis?: string }).redis !== 'up' && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
      expect(((await (await fetch(`${a.url}/readyz`)).json()) as { redis?: string }).redis).to.equal('up');
      // The failed turns wrote nothing; the one before the outage is still there (the master's AOF).
      const key = `test/conversations/${o.conversationId}/`;
      expect(((await a.app.storage.read([key]))[key] as { conversation?: { misses?: number } }).conversation?.misses).to.equal(1);
      expect(await say(a, o, 'hello')).to.match(/Hello/);
    });

    // Last: the instances know only v1, and this re-wraps every data key under a v2 they have never seen.
    it('keys status and rotation see the data keys on every master', async () => {
      const onCluster = await cl.keysByMaster('tl:key:*');
      expect(new Set(onCluster.values()).size).to.be.greaterThan(1);
      const before = await a.app.keys.status();
      expect(before.total).to.equal(onCluster.size);
      expect(before.byMasterVersion).to.deep.equal({ v1: onCluster.size });
      const ks = await connect('cluster-keys');
      try {
        const v1 = loadConfig(a.env).secrets.masterKeys;
        const rotating = new DataKeyService(new RedisKeyStore(ks.commands, 600), [...v1, { version: 'v2', key: new Uint8Array(randomBytes(32)) }], 'v2');
        const r = await rotating.rotate();
        expect(r).to.deep.equal({ rewrapped: onCluster.size, alreadyCurrent: 0, failed: 0 });
        expect((await rotating.status()).byMasterVersion).to.deep.equal({ v2: onCluster.size });
      } finally { await ks.close(); }
    });
  });
});

describe('Redis Cluster over TLS (three masters, TLS on the client port and the cluster bus)', function () {
  this.timeout(60000);
  const ca = makeTestCa();
  let cl: RedisClusterProcess;
  before(async () => { cl = await startRedisCluster({ masters: 3, tls: { certFile: ca.certFile, keyFile: ca.keyFile, caFile: ca.caFile, ca: ca.ca } }); });
  after(async () => { await cl?.stop(); });

  it('verifies every discovered node against the CA and the seed\'s host name; another CA gets nowhere', async () => {
    // `localhost`: the nodes announce 127.0.0.1, and are verified against the name the seed was given.
    const url = cl.seedUrl.replace('127.0.0.1', 'localhost');
    const r = await connectRedis({ url, cluster: true, name: 'tls', tls: { ca: ca.ca }, connectTimeoutMs: 5000, commandTimeoutMs: 3000, log: silent });
    try {
      expect(r.isReady()).to.equal(true);
      const keys = Array.from({ length: 30 }, (_, i) => `tl:tls:{${i}}`);
      await Promise.all(keys.map((k) => r.commands.set(k, '1')));
      expect(new Set((await cl.keysByMaster('tl:tls:*')).values()).size).to.equal(3);
      const found: string[] = [];
      for await (const batch of scanAll(r.commands, { MATCH: 'tl:tls:*' })) found.push(...batch);
      expect(found).to.have.length(30);
    } finally { await r.close(); }
    const other = makeTestCa('someone-else');
    const refused = await connectRedis({ url, cluster: true, name: 'tls-other', tls: { ca: other.ca }, connectTimeoutMs: 500, commandTimeoutMs: 500, log: silent });
    try {
      expect(refused.isReady()).to.equal(false);
      let err: unknown;
      try { await refused.commands.get('tl:tls:{1}'); } catch (e) { err = e; }
      expect(err).to.be.instanceOf(Error);
    } finally { await refused.close(); }
  });
});
