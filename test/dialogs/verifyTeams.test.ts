import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { ConversationState, MemoryStorage, TestAdapter, type Activity } from 'botbuilder';
import type { DialogState } from 'botbuilder-dialogs';
import { UnsecuredJWT } from 'jose';
import { MainDialog, type ConversationData } from '../../dialogs/mainDialog.js';
import { CustomerServiceBot } from '../../bots/customerServiceBot.js';
import { Pseudonymizer } from '../../guards/crypto/pseudonym.js';
import { MemorySubjectIndex } from '../../guards/identity/subjectIndex.js';
import { JsonFileDirectory } from '../../directory/customerDirectory.js';
import { MemoryAuditLog } from '../../guards/audit/auditLog.js';
import { IdentityGuard, IdentityService, type IdentityState } from '../../guards/identity/identityGuard.js';
import { DEFAULT_IDENTITY_POLICY } from '../../guards/identity/policy.js';
import { createLogger } from '../../guards/log/logger.js';

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const OID = '4a1b2c3d-1111-4222-8333-444444444444';
const CONNECTION = 'teams-sso';

/** Teams SSO through the OAuth prompt on TestAdapter (token exchange de-duplicated by the guard's eTag write). */
describe('verification on Teams (SSO through the OAuth prompt)', () => {
  const silent = createLogger({ level: 'silent', destination: new Writable({ write(_c, _e, cb) { cb(); } }) });

  function makeBot(userOid = OID) {
    const dir = mkdtempSync(join(tmpdir(), 'tl-teams-'));
    const data = JSON.parse(readFileSync('data/customers.json', 'utf8')) as { customers: Record<string, unknown>[] };
    data.customers[0]!.teams = [{ tenantId: TENANT, aadObjectId: OID }];
    writeFileSync(join(dir, 'c.json'), JSON.stringify(data));
    const directory = new JsonFileDirectory(join(dir, 'c.json'));
    const state = new ConversationState(new MemoryStorage());
    const audit = new MemoryAuditLog();
    const now = () => Date.parse('2026-11-29T12:00:00Z');
    const identity = new IdentityService({ accessor: state.createProperty<IdentityState>('identity'), pseudonyms: new Pseudonymizer(randomBytes(32)), index: new MemorySubjectIndex(), directory, audit, policy: DEFAULT_IDENTITY_POLICY, now, log: silent });
    const main = new MainDialog(state.createProperty<DialogState>('dialogState'), state.createProperty<ConversationData>('conversation'), { now }, { identity, directory, audit, teamsConnection: CONNECTION });
    const bot = new CustomerServiceBot(state, main);
    const adapter = new TestAdapter(async (ctx) => bot.run(ctx), {
      channelId: 'msteams', conversation: { id: 'teams-conv', tenantId: TENANT } as Activity['conversation'],
      user: { id: '29:teams-user', name: 'Display Name Is Never Used', aadObjectId: userOid }, bot: { id: 'bot', name: 'bot' },
    } as Partial<Activity> as never);
    adapter.use(new IdentityGuard({ service: identity, directory, audit, log: silent, teamsSso: { storage: new MemoryStorage(), connectionName: CONNECTION } }));
    return { adapter, audit };
  }

  const token = (oid: string) => new UnsecuredJWT({ tid: TENANT, oid, name: 'Avery' }).setExpirationTime(Math.floor(Date.parse('2099-01-01T00:00:00Z') / 1000)).encode();

  async function send(adapter: TestAdapter, a: Partial<Activity>): Promise<Partial<Activity>[]> {
    await adapter.send({ channelData: { tenant: { id: TENANT } }, from: { id: '29:teams-user', name: 'Display Name Is Never Used', aadObjectId: OID }, ...a });
    const out: Partial<Activity>[] = [];
    for (let x = adapter.activeQueue.shift(); x; x = adapter.activeQueue.shift()) out.push(x);
    return out;
  }

  it('verifies with the tenant + object id mapped through the directory and answers the order status', async () => {
    const { adapter, audit } = makeBot();
    adapter.addExchangeableToken(CONNECTION, 'msteams', '29:teams-user', 'exchangeable-1', token(OID));
    const first = await send(adapter, { type: 'message', text: 'where is my order?' });
    expect(first.map((a) => a.text).join()).to.match(/confirm who you are/);
    const card = first.find((a) => a.attachments?.length)?.attachments?.[0];
    expect(card?.contentType).to.equal('application/vnd.microsoft.card.oauth');
    const after = await send(adapter, { type: 'invoke', name: 'signin/tokenExchange', value: { id: 'exchange-request-1', connectionName: CONNECTION, token: 'exchangeable-1' } });
    const texts = after.filter((a) => a.type === 'message').map((a) => a.text).join('\n');
    expect(texts).to.match(/you are verified[\s\S]*TL-10001/);
    expect(audit.events.some((e) => e.type === 'verification.succeeded' && e.method === 'teams_sso')).to.equal(true);
    // The same exchange arriving again (another Teams client) is answered but not processed twice.
    const dup = await send(adapter, { type: 'invoke', name: 'signin/tokenExchange', value: { id: 'exchange-request-1', connectionName: CONNECTION, token: 'exchangeable-1' } });
    expect(dup.filter((a) => a.type === 'message')).to.have.length(0);
  });

  it('refuses a token whose object id is not the activity\'s own', async () => {
    const { adapter } = makeBot();
    adapter.addExchangeableToken(CONNECTION, 'msteams', '29:teams-user', 'exchangeable-2', token('9a1b2c3d-1111-4222-8333-555555555555'));
    await send(adapter, { type: 'message', text: 'where is my order?' });
    const after = await send(adapter, { type: 'invoke', name: 'signin/tokenExchange', value: { id: 'exchange-request-2', connectionName: CONNECTION, token: 'exchangeable-2' } });
    const texts = after.filter((a) => a.type === 'message').map((a) => a.text).join('\n');
    expect(texts).to.match(/could not match your Teams sign-in/);
    expect(texts).to.not.match(/TL-10001/);
  });
});
