import { expect } from 'chai';
import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { startApp, type RunningApp } from '../support/app.js';
import { dumpRedis, startRedis, type RedisProcess } from '../support/redis.js';
import { CANARY_A, CANARY_B, canaryValues, directoryCopy, receiptOf, say } from '../guards/dsr/support.js';
import { lastOutboxCode, TestClock } from '../guards/identity/support.js';
import { readEnvelopeHeader } from '../../guards/crypto/envelope.js';
import { ownerOfKid } from '../../guards/crypto/dataKeys.js';
import { EncryptedTranscriptStore, RedisHashBackend } from '../../guards/transcripts/transcriptStore.js';
import { EncryptedStorage } from '../../guards/storage/encryptedStorage.js';
import { RedisStorage } from '../../guards/storage/redisStorage.js';
import type { RedisCommands } from '../../guards/storage/redisClient.js';
import type { TurnOptions } from '../support/app.js';

const CARD = '4111 1111 1111 1111';
const URL_RE = /http:\/\/\S+\/dsr\/export\/[A-Za-z0-9_-]{43}/;

/**
 * Issue 5, "done when": canary values of customer A go into every store through real conversations (directory,
 * consent, state, transcripts, verification, requests, opt-out, export link, handoff); then the export holds exactly
 * what the stores keep for A (validated against the schema, no B canary, no card number); erasure leaves zero keys
 * for A in the data store and the key store (a separate Redis, as in production), the export link answers 404, B is
 * untouched; a BGSAVE snapshot taken before the erasure, loaded into a second redis-server next to the live key
 * store, opens nothing of A's.
 */
describe('privacy: data-subject export and erasure on Redis (separate key store)', function () {
  this.timeout(120000);
  let data: RedisProcess;
  let keystore: RedisProcess;
  let snapshot: RedisProcess;
  let a: RunningApp;
  let dirFile: string;
  const clock = new TestClock(Date.now());
  const A1: TurnOptions = { conversationId: 'dsr-canary-a1', userId: 'dsr-canary-user-a1', locale: 'en-GB' };
  const A2: TurnOptions = { conversationId: 'dsr-canary-a2', userId: 'dsr-canary-user-a2', locale: 'en-GB' };
  const B1: TurnOptions = { conversationId: 'dsr-canary-b1', userId: 'dsr-canary-user-b1', locale: 'en-GB' };
  let exportDoc: Record<string, any>;
  let unusedLink = '';
  let eraseReply = '';
  const storedBefore = new Map<string, unknown[]>();
  let aKeysBefore: string[] = [];
  let aIds: { owner: string; pseudonym: string; conversations: string[]; users: string[]; stateKeys: string[]; consentKeys: string[]; otp: string; subjectHash: string };
  let bIds: { owner: string; conversations: string[] };

  async function verifyByPhone(talk: (t: string) => Promise<string>, phone: string): Promise<string> {
    clock.advance(16 * 60_000);
    expect(await talk(phone)).to.match(/If that matches an account/);
    return talk((await lastOutboxCode(a))!.code);
  }

  before(async () => {
    data = await startRedis();
    keystore = await startRedis(['--appendonly', 'yes']);
    dirFile = directoryCopy();
    a = await startApp({ REDIS_URL: data.url, KEYSTORE_REDIS_URL: keystore.url, CUSTOMER_DIRECTORY_FILE: dirFile, CONSENT_PRESET: undefined, DSR_KEYSTORE_AOF_REWRITE: 'true' }, { clock });
    const a1 = say(a, A1); const a2 = say(a, A2); const b1 = say(a, B1);
    // A, first conversation: consent, verification by SMS, a card number (never held), an email in free text, opt-out.
    await a1('where is my order?');
    await a1('Keep my conversation');
    expect(await verifyByPhone(a1, CANARY_A.phone)).to.include(CANARY_A.orders[0].orderNumber);
    await a1(`my card ${CARD} was declined`);
    await a1('cancel');
    await a1(`you can also write to ${CANARY_A.email}, I live at ${CANARY_A.address.line1}`);
    expect(await a1('do not sell my information')).to.match(/will not sell/);
    expect(await a1('what do you know about me?')).to.match(/Here is what we hold/);
    // A, second conversation: verified, then handed to a person (handoff records), with a message relayed.
    await a2('where is my order?');
    await a2('Keep my conversation');
    await verifyByPhone(a2, CANARY_A.phone);
    await a2('I want to talk to a person');
    await a2(`please call me on ${CANARY_A.phone}`);
    // B: consent, verification, order status.
    await b1('where is my order?');
    await b1('Keep my conversation');
    expect(await verifyByPhone(b1, CANARY_B.phone)).to.include(CANARY_B.orders[0].orderNumber);
    await b1(`my address is ${CANARY_B.address.line1}`);

    const linkA = (await a.app.identity.index.lookup(CANARY_A.customerNumber))!;
    const linkB = (await a.app.identity.index.lookup(CANARY_B.customerNumber))!;
    const p = a.app.pseudonyms;
    aIds = {
      owner: linkA.owner, pseudonym: linkA.pseudonym, conversations: await a.app.identity.index.conversationsOf(CANARY_A.customerNumber),
      users: [p.userOwner('test', A1.userId!), p.userOwner('test', A2.userId!)],
      stateKeys: [A1, A2].map((o) => p.hash('state', `test/conversations/${o.conversationId}/`)),
      consentKeys: [p.hash('consent', `subject/${linkA.owner}`), ...[A1, A2].map((o) => p.hash('consent', `user/test/${o.userId}`))],
      otp: a.app.identity.otp.accountOfCustomer(CANARY_A.customerNumber), subjectHash: p.hash('subject', CANARY_A.customerNumber),
    };
    bIds = { owner: linkB.owner, conversations: await a.app.identity.index.conversationsOf(CANARY_B.customerNumber) };
    expect(aIds.conversations).to.have.length(2);

    // Export (fresh verification for it), downloaded once; a second link stays unused until after the erasure.
    clock.advance(60_000);
    const ex = await a1('send me my data');
    const url = URL_RE.exec(ex)?.[0] ?? URL_RE.exec(await verifyByPhone(a1, CANARY_A.phone))?.[0];
    expect(url).to.be.a('string');
    const res = await fetch(url!);
    expect(res.status).to.equal(200);
    exportDoc = await res.json() as Record<string, any>;
    for (const c of aIds.conversations) storedBefore.set(c, (await a.app.transcripts.list(c)).entries);
    const pre = [...(await dumpRedis(await data.client())).keys(), ...(await dumpRedis(await keystore.client())).keys()];
    const idsBefore = [aIds.owner, aIds.pseudonym, ...aIds.conversations, ...aIds.users, ...aIds.stateKeys, ...aIds.consentKeys, aIds.otp, aIds.subjectHash];
    aKeysBefore = pre.filter((k) => idsBefore.some((id) => k.includes(id)));
    const again = await a1('send me my data');
    unusedLink = URL_RE.exec(again)?.[0] ?? '';
    expect(unusedLink).to.not.equal('');

    // Snapshot of the data store before the erasure (BGSAVE), copied aside.
    const c = await data.client();
    const before = await c.lastSave();
    await c.bgSave();
    for (let i = 0; i < 200 && (await c.lastSave()) === before; i++) await new Promise((r) => setTimeout(r, 50));
    const snapDir = mkdtempSync(join(tmpdir(), 'tl-snap-'));
    copyFileSync(join(data.dir, 'dump.rdb'), join(snapDir, 'dump.rdb'));

    // Erasure: explained, confirmed, receipt.
    const explain = await a1('delete everything about me');
    const expl = /Do you want us to delete/.test(explain) ? explain : await verifyByPhone(a1, CANARY_A.phone);
    expect(expl).to.match(/Microsoft Teams and Azure Bot Service \(Direct Line\)/);
    eraseReply = await a1('yes');
    snapshot = await startRedis(['--dbfilename', 'dump.rdb'], { dir: snapDir });
  });
  after(async () => { await a?.stop(); await snapshot?.stop(); await data?.stop(); await keystore?.stop(); });

  it('the export validates against schemas/export-v1.schema.json', () => {
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    (addFormatsModule as unknown as (x: unknown) => void)(ajv);
    const validate = ajv.compile(JSON.parse(readFileSync('schemas/export-v1.schema.json', 'utf8')));
    expect(validate(exportDoc), JSON.stringify(validate.errors)).to.equal(true);
    // The schema can fail: a document without its receipt is refused.
    const broken = structuredClone(exportDoc); delete broken.receipt;
    expect(validate(broken)).to.equal(false);
  });

  it('holds every profile value, the consent records, both conversations as stored, the handoff, the requests', async () => {
    const text = JSON.stringify(exportDoc);
    for (const v of canaryValues(CANARY_A)) expect(text, v).to.include(v);
    const tx = exportDoc.records.transcripts as { conversation: string; entries: unknown[] }[];
    expect(tx.map((t) => t.conversation).sort()).to.deep.equal([...aIds.conversations].sort());
    for (const t of tx) expect(t.entries.length).to.be.greaterThan(0);
    // Transcripts appear as stored (redacted): equal to what the store itself returns for each conversation.
    for (const t of tx) expect(t.entries).to.deep.equal(storedBefore.get(t.conversation));
    expect(text).to.match(/\[EMAIL_\d+\]/);
    expect(exportDoc.records.consent.records.length).to.be.greaterThan(0);
    expect(exportDoc.records.optOut.optedOut).to.equal(true);
    expect((exportDoc.records.handoff as { meta?: unknown; messages: unknown[] }[]).some((h) => h.meta && h.messages.length > 0)).to.equal(true);
    expect((exportDoc.requests as { type: string }[]).map((r) => r.type)).to.include.members(['opt_out', 'access', 'export']);
    expect(exportDoc.article15.recipients.map((r: { id: string }) => r.id)).to.include.members(['microsoft_teams', 'azure_bot_service_direct_line']);
  });

  it('holds no other customer\'s canary, no card number, no secrets', () => {
    const text = JSON.stringify(exportDoc);
    for (const v of canaryValues(CANARY_B)) expect(text, v).to.not.include(v);
    expect(text).to.not.include(CARD);
    expect(text).to.not.include(CARD.replace(/ /g, ''));
    expect(text).to.not.include('transcriptTags');
    expect(text).to.not.match(/"wrapped"|"codeHash"|"h":/);
  });

  it('answers the erasure with a receipt and names what the directory keeps', async () => {
    expect(eraseReply).to.match(/Your data has been deleted/);
    const ref = receiptOf(eraseReply);
    const rec = await a.app.dsr.ledger.get(ref);
    expect(rec).to.include({ type: 'erase', status: 'completed', subject: aIds.pseudonym });
    expect(rec?.steps).to.include.members(['plan', 'erase:conversationState', 'erase:consent', 'erase:transcripts', 'erase:handoff', 'erase:verificationCodes', 'directory', 'index', 'keys', 'aof']);
    expect(rec?.recipients).to.include.members(['customer_directory', 'microsoft_teams', 'azure_bot_service_direct_line']);
    expect(rec?.outcome).to.equal('erased');
    expect(JSON.stringify(rec)).to.not.match(new RegExp(canaryValues(CANARY_A).map((v) => v.replace(/[+.]/g, '\\$&')).join('|')));
  });

  it('leaves zero keys for A in the data store and the key store, and B is untouched', async () => {
    const dataDump = await dumpRedis(await data.client());
    const keyDump = await dumpRedis(await keystore.client());
    const ids = [aIds.owner, aIds.pseudonym, ...aIds.conversations, ...aIds.users, ...aIds.stateKeys, ...aIds.consentKeys, aIds.otp, aIds.subjectHash];
    // Before the erasure A had keys of every kind: state, transcripts, consent, index, codes, handoff, key store.
    for (const prefix of ['tl:state:', 'tl:tx:{', 'tl:txm:', 'tl:consent:', 'tl:idx:s:', 'tl:idx:c:', 'tl:otp:', 'tl:ho:', 'tl:dsr:optout:', 'tl:key:']) {
      expect(aKeysBefore.some((k) => k.startsWith(prefix)), prefix).to.equal(true);
    }
    const shared = (k: string) => k === 'tl:audit' || /^tl:dsr:\{R-/.test(k);
    for (const [k, v] of [...dataDump, ...keyDump]) {
      for (const id of ids) {
        expect(k, `key ${k}`).to.not.include(id);
        // The audit stream and the PII-free request records keep the random pseudonym only (its link is destroyed).
        if (!shared(k)) expect(v, `value of ${k}`).to.not.include(id);
      }
      for (const c of canaryValues(CANARY_A)) expect(v, k).to.not.include(c);
    }
    // B: index, keys, transcripts, directory all still there.
    expect(await a.app.identity.index.lookup(CANARY_B.customerNumber)).to.not.equal(undefined);
    expect(keyDump.has(`tl:key:{${bIds.owner}}`)).to.equal(true);
    expect((await a.app.transcripts.list(bIds.conversations[0]!)).entries.length).to.be.greaterThan(0);
    expect(await a.app.identity.directory.findByCustomerNumber(CANARY_B.customerNumber)).to.not.equal(undefined);
    expect(readFileSync(dirFile, 'utf8')).to.not.include(CANARY_A.customerNumber);
  });

  it('the unused export link and A\'s transcripts answer nothing any more', async () => {
    expect((await fetch(unusedLink)).status).to.equal(404);
    for (const c of aIds.conversations) {
      expect((await a.app.transcripts.list(c)).entries).to.deep.equal([]);
      expect(await a.app.transcripts.summary(c)).to.equal(undefined);
    }
  });

  it('a snapshot from before the erasure, next to the live key store, opens nothing of A\'s', async () => {
    const snap = await snapshot.client();
    const dump = await dumpRedis(snap);
    expect(dump.size).to.be.greaterThan(10);
    const aOwners = new Set([aIds.owner, ...aIds.conversations, ...aIds.users]);
    let aEnvelopes = 0; let bOpened = 0;
    for (const v of dump.values()) {
      for (const m of v.match(/[A-Za-z0-9+/]{80,}={0,2}/g) ?? []) {
        let kid: string;
        try { kid = readEnvelopeHeader(m, 1 << 20).kid; } catch { continue; }
        const owner = ownerOfKid(kid);
        if (aOwners.has(owner)) {
          aEnvelopes++;
          let opened = false;
          try { await a.app.keys.keyForRead(kid); opened = true; } catch { /* destroyed */ }
          expect(opened, `key of ${owner}`).to.equal(false);
        } else if (owner === bIds.owner) {
          await a.app.keys.keyForRead(kid);
          bOpened++;
        }
      }
    }
    expect(aEnvelopes).to.be.greaterThan(5);
    expect(bOpened).to.be.greaterThan(0);
    // End to end through the stores: A's transcripts and state in the snapshot do not open; B's do.
    const snapTx = new EncryptedTranscriptStore(new RedisHashBackend(snap), a.app.keys, { ttlSeconds: 3600, maxEnvelopeBytes: 1 << 20 });
    for (const c of aIds.conversations) {
      const r = await snapTx.list(c);
      expect(r.entries).to.deep.equal([]);
      expect(r.unreadable).to.be.greaterThan(0);
    }
    expect((await snapTx.list(bIds.conversations[0]!)).entries.length).to.be.greaterThan(0);
    const anyOwner = { ownerOf: () => 'unused', mayOpen: () => true };
    const snapState = new EncryptedStorage(new RedisStorage(snap as unknown as RedisCommands, { prefix: 'tl:state:', keyName: (k) => a.app.pseudonyms.hash('state', k), ttlSeconds: 3600 }), a.app.keys, anyOwner, { maxEnvelopeBytes: 1 << 20 });
    let aState = true;
    try { await snapState.read([`test/conversations/${A1.conversationId}/`]); } catch { aState = false; }
    expect(aState).to.equal(false);
    const bState = await snapState.read([`test/conversations/${B1.conversationId}/`]);
    expect(JSON.stringify(bState)).to.include('verification');
  });
});
