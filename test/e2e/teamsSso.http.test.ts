/**
 * Teams SSO over HTTP (issue 4, item 3): the whole app on a loopback port, Teams-shaped activities posted to
 * /api/messages, the Bot Framework token service (OAuthUrl) and the Teams connector (serviceUrl) as loopback stubs.
 * The subject is the tenant id + AAD object id of the activity, mapped through the directory; the display name and
 * the UPN (which name ANOTHER customer here) are never used.
 */
import { expect } from 'chai';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import net from 'node:net';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UnsecuredJWT } from 'jose';
import { startApp, type RunningApp } from '../support/app.js';
import { sharedRedis } from '../support/redis.js';

const CONNECTION = 'teams-sso';
const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const OTHER_TENANT = '0b7c1e2d-3f4a-4b5c-8d6e-7f8091a2b3c4';
/** Jana Beispiel (C100002, order TL-20001) in the test directory. */
const JANA_OID = '4a1b2c3d-1111-4222-8333-444444444444';
/** Avery Example (C100001, order TL-10001): only as display name / UPN / token name, to prove they are not used. */
const AVERY_OID = '5b2c3d4e-2222-4333-8444-555555555555';
const STRANGER_OID = '9a1b2c3d-1111-4222-8333-666666666666';

// ---------------------------------------------------------------------------------------------------------------
// Outgoing connections: every TCP connection this process opens is recorded (fetch, http, https, tls all go
// through net.Socket#connect), so the test can prove that nothing went to a Microsoft host.
// ---------------------------------------------------------------------------------------------------------------
const connections: string[] = [];
const originalConnect = net.Socket.prototype.connect;
function watchConnections(): void {
  net.Socket.prototype.connect = function (this: net.Socket, ...args: unknown[]) {
    const first = Array.isArray(args[0]) ? (args[0] as unknown[])[0] : args[0];
    if (first && typeof first === 'object') {
      const o = first as { host?: string; path?: string; port?: number };
      connections.push(o.path ? `unix:${o.path}` : `${o.host ?? 'localhost'}:${o.port ?? ''}`);
    } else if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) {
      connections.push(`${typeof args[1] === 'string' ? args[1] : 'localhost'}:${String(first)}`);
    } else if (typeof first === 'string') {
      connections.push(`unix:${first}`);
    }
    return (originalConnect as (...a: unknown[]) => net.Socket).apply(this, args);
  } as typeof net.Socket.prototype.connect;
}
const isLoopback = (c: string) => c.startsWith('unix:') || /^(127\.\d+\.\d+\.\d+|localhost|::1|\[::1\]):/.test(c);

// ---------------------------------------------------------------------------------------------------------------
// Stubs
// ---------------------------------------------------------------------------------------------------------------
interface Seen { method: string; path: string; query: URLSearchParams; body: unknown; authorization: string | undefined }

async function listen(server: Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const a = server.address();
  return `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
}

function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      try { resolve(raw ? JSON.parse(raw) : undefined); } catch { resolve(raw); }
    });
  });
}

/**
 * The Bot Framework token service as the OAuthPrompt and TeamsSSOTokenExchangeMiddleware call it
 * (botframework-connector UserTokenClientImpl): GetToken, GetSignInResource, exchange (+ SignOut, GetTokenStatus).
 * A Teams SSO token (what the Teams client puts into the signin/tokenExchange invoke) is exchangeable when the test
 * registered it; the exchange answers the token of the connection (a JWT carrying tid/oid).
 */
class TokenServiceStub {
  readonly seen: Seen[] = [];
  readonly exchangeable = new Map<string, string>();
  readonly exchangeResourceId = 'stub-token-exchange-resource';
  #server: Server | undefined;
  url = '';

  async start(): Promise<this> {
    this.#server = createServer(async (req, res) => {
      const u = new URL(req.url ?? '/', 'http://stub');
      const body = await readJson(req);
      this.seen.push({ method: req.method ?? '', path: u.pathname, query: u.searchParams, body, authorization: req.headers.authorization });
      const json = (status: number, value: unknown) => { res.writeHead(status, { 'content-type': 'application/json' }); res.end(JSON.stringify(value)); };
      const path = u.pathname.toLowerCase();
      if (req.method === 'GET' && path === '/api/usertoken/gettoken') {
        // No stored token for anybody: the prompt has to send its card (and SSO then exchanges).
        res.writeHead(404); res.end(); return;
      }
      if (req.method === 'GET' && path === '/api/botsignin/getsigninresource') {
        json(200, {
          signInLink: `${this.url}/signin?state=${encodeURIComponent(u.searchParams.get('state') ?? '')}`,
          tokenExchangeResource: { id: this.exchangeResourceId, uri: 'api://trustline.example/botid-stub', providerId: 'stub-aad' },
        });
        return;
      }
      if (req.method === 'POST' && path === '/api/usertoken/exchange') {
        const token = (body as { token?: unknown } | undefined)?.token;
        const exchanged = typeof token === 'string' ? this.exchangeable.get(token) : undefined;
        if (!exchanged) { json(400, { error: { code: 'TokenExchangeFailed', message: 'not exchangeable' } }); return; }
        json(200, { channelId: u.searchParams.get('channelId'), connectionName: u.searchParams.get('connectionName'), token: exchanged, expiration: '2099-01-01T00:00:00Z' });
        return;
      }
      if (req.method === 'DELETE' && path === '/api/usertoken/signout') { json(200, {}); return; }
      if (req.method === 'GET' && path === '/api/usertoken/gettokenstatus') { json(200, []); return; }
      res.writeHead(404); res.end();
    });
    this.url = await listen(this.#server);
    return this;
  }
  calls(path: string): Seen[] { return this.seen.filter((s) => s.path.toLowerCase() === path.toLowerCase()); }
  async stop(): Promise<void> { await new Promise<void>((r) => this.#server?.close(() => r()) ?? r()); }
}

/** The Teams connector behind the activity's serviceUrl: replies (normal delivery mode) and member look-ups. */
class TeamsConnectorStub {
  readonly seen: Seen[] = [];
  readonly posted: { conversationId: string; activity: Record<string, unknown> }[] = [];
  #server: Server | undefined;
  #n = 0;
  url = '';
  /** Members the connector answers (TeamsInfo.getMember): the UPN is deliberately another customer's email. */
  members = new Map<string, Record<string, unknown>>();

  async start(): Promise<this> {
    this.#server = createServer(async (req, res) => {
      const u = new URL(req.url ?? '/', 'http://stub');
      const body = await readJson(req);
      this.seen.push({ method: req.method ?? '', path: u.pathname, query: u.searchParams, body, authorization: req.headers.authorization });
      const json = (status: number, value: unknown) => { res.writeHead(status, { 'content-type': 'application/json' }); res.end(JSON.stringify(value)); };
      const act = /\/v3\/conversations\/([^/]+)\/activities(?:\/[^/]+)?$/.exec(u.pathname);
      if (req.method === 'POST' && act) {
        this.posted.push({ conversationId: decodeURIComponent(act[1]!), activity: body as Record<string, unknown> });
        json(200, { id: `stub-activity-${++this.#n}` });
        return;
      }
      const member = /\/v3\/conversations\/([^/]+)\/members\/([^/]+)$/.exec(u.pathname);
      if (req.method === 'GET' && member) {
        const m = this.members.get(decodeURIComponent(member[2]!));
        if (m) json(200, m); else json(404, { error: { code: 'MemberNotFoundInConversation', message: 'not found' } });
        return;
      }
      if (req.method === 'GET' && /\/v3\/conversations\/[^/]+\/(?:pagedmembers|members)$/.test(u.pathname)) {
        json(200, u.pathname.endsWith('pagedmembers') ? { members: [...this.members.values()] } : [...this.members.values()]);
        return;
      }
      res.writeHead(404); res.end();
    });
    this.url = await listen(this.#server);
    return this;
  }
  activities(conversationId: string): Record<string, unknown>[] {
    return this.posted.filter((p) => p.conversationId === conversationId).map((p) => p.activity);
  }
  texts(conversationId: string): string[] {
    return this.activities(conversationId).filter((a) => a.type === 'message').map((a) => String(a.text ?? ''));
  }
  async stop(): Promise<void> { await new Promise<void>((r) => this.#server?.close(() => r()) ?? r()); }
}

// ---------------------------------------------------------------------------------------------------------------
// Teams-shaped activities
// ---------------------------------------------------------------------------------------------------------------
interface TeamsUser { id: string; aadObjectId: string; tenant: string; name: string; upn: string }

let seq = 0;
function teamsActivity(serviceUrl: string, conversationId: string, user: TeamsUser, extra: Record<string, unknown>): Record<string, unknown> {
  return {
    id: `teams-act-${++seq}`,
    channelId: 'msteams',
    serviceUrl,
    timestamp: new Date().toISOString(),
    locale: 'en-US',
    // A personal chat as Teams sends it: the tenant in conversation and channelData, the AAD object id in from.
    conversation: { id: conversationId, conversationType: 'personal', tenantId: user.tenant },
    from: { id: user.id, name: user.name, aadObjectId: user.aadObjectId, userPrincipalName: user.upn },
    recipient: { id: '28:trustline-bot', name: 'Trustline' },
    channelData: { tenant: { id: user.tenant } },
    ...extra,
  };
}

async function post(url: string, activity: Record<string, unknown>): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity) });
  const raw = await res.text();
  let body: unknown = raw;
  try { body = raw ? JSON.parse(raw) : undefined; } catch { /* keep text */ }
  return { status: res.status, body };
}

/** The exchanged token (the connection's AAD token): tid/oid decide, name/upn name Avery to prove they do not. */
function aadToken(tid: string, oid: string): string {
  return new UnsecuredJWT({ tid, oid, name: 'Avery Example', upn: 'avery@example.com', preferred_username: 'avery@example.com' })
    .setIssuedAt().setExpirationTime('1h').encode();
}

function directoryFile(): string {
  const data = JSON.parse(readFileSync('data/customers.json', 'utf8')) as { customers: { customerNumber: string; teams?: unknown }[] };
  const jana = data.customers.find((c) => c.customerNumber === 'C100002')!;
  jana.teams = [{ tenantId: TENANT, aadObjectId: JANA_OID }];
  // Avery has a Teams identity too, in the same tenant but with another object id: a name/UPN lookup would hit her.
  data.customers.find((c) => c.customerNumber === 'C100001')!.teams = [{ tenantId: TENANT, aadObjectId: AVERY_OID }];
  const dir = mkdtempSync(join(tmpdir(), 'tl-teams-sso-'));
  const file = join(dir, 'customers.json');
  writeFileSync(file, JSON.stringify(data));
  return file;
}

async function auditEvents(a: RunningApp, type: string): Promise<Record<string, unknown>[]> {
  const all = (await a.app.audit.read?.({ limit: 10_000 })) ?? [];
  return (all as unknown as Record<string, unknown>[]).filter((e) => e.type === type);
}

const janaAsAvery = (n: number): TeamsUser => ({
  // Display name and UPN of ANOTHER customer (Avery): only tenant + object id may count.
  id: `29:teams-user-jana-${n}`, aadObjectId: JANA_OID, tenant: TENANT, name: 'Avery Example', upn: 'avery@example.com',
});

for (const mode of ['memory storage', 'Redis storage'] as const) {
  describe(`Teams SSO over HTTP against a loopback token service (${mode})`, function () {
    this.timeout(60_000);
    let tokens: TokenServiceStub;
    let connector: TeamsConnectorStub;
    let a: RunningApp;
    let serviceUrl: string;
    /** Posts a Teams activity; the connector knows the member (with the UPN of ANOTHER customer) for TeamsInfo. */
    const send = (url: string, conv: string, user: TeamsUser, extra: Record<string, unknown>) => {
      connector.members.set(user.id, { id: user.id, name: user.name, aadObjectId: user.aadObjectId, userPrincipalName: user.upn, email: user.upn, tenantId: user.tenant });
      return post(url, teamsActivity(serviceUrl, conv, user, extra));
    };

    before(async () => {
      watchConnections();
      tokens = await new TokenServiceStub().start();
      connector = await new TeamsConnectorStub().start();
      serviceUrl = `${connector.url}/emea/`;
      const redis = mode === 'Redis storage' ? { REDIS_URL: (await sharedRedis()).url } : {};
      a = await startApp({
        ...redis,
        TRUSTLINE_PROFILE: 'development',
        MicrosoftAppId: undefined,
        OAuthUrl: tokens.url,
        TEAMS_SSO_CONNECTION_NAME: CONNECTION,
        CUSTOMER_DIRECTORY_FILE: directoryFile(),
        CONSENT_PRESET: 'keep',
      });
    });
    after(async () => {
      await a?.stop();
      await tokens?.stop();
      await connector?.stop();
      net.Socket.prototype.connect = originalConnect;
    });

    it('a protected request gets the OAuth card with the token-exchange resource of the token service', async () => {
      const user = janaAsAvery(1);
      const conv = 'a:teams-sso-card';
      const r = await send(a.url, conv, user, { type: 'message', text: 'where is my order?' });
      expect(r.status).to.equal(200);
      expect(connector.texts(conv).join('\n')).to.match(/confirm who you are/);
      const card = connector.activities(conv).flatMap((x) => (x.attachments as { contentType: string; content: Record<string, unknown> }[] | undefined) ?? [])
        .find((x) => x.contentType === 'application/vnd.microsoft.card.oauth');
      expect(card, 'OAuth card posted to the Teams connector').to.not.equal(undefined);
      expect(card!.content.connectionName).to.equal(CONNECTION);
      expect((card!.content.tokenExchangeResource as { id: string }).id).to.equal(tokens.exchangeResourceId);
      // The prompt asked the token service (not Microsoft's) for a stored token, then for the sign-in resource.
      const get = tokens.calls('/api/usertoken/GetToken').at(-1)!;
      expect(get.query.get('userId')).to.equal(user.id);
      expect(get.query.get('connectionName')).to.equal(CONNECTION);
      expect(get.query.get('channelId')).to.equal('msteams');
      const sr = tokens.calls('/api/botsignin/GetSignInResource').at(-1)!;
      const state = JSON.parse(Buffer.from(sr.query.get('state') ?? '', 'base64').toString('utf8')) as { connectionName: string; conversation: { conversation: { id: string } } };
      expect(state.connectionName).to.equal(CONNECTION);
      expect(state.conversation.conversation.id).to.equal(conv);
      // Nothing about an order before verification.
      expect(connector.texts(conv).join('\n')).to.not.match(/TL-\d{5}/);
    });

    it('signin/tokenExchange verifies tenant + object id through the directory (not the display name or UPN) and answers', async () => {
      const user = janaAsAvery(2);
      const conv = 'a:teams-sso-verify';
      tokens.exchangeable.set('teams-sso-token-verify', aadToken(TENANT, JANA_OID));
      const before = (await auditEvents(a, 'verification.succeeded')).length;
      await send(a.url, conv, user, { type: 'message', text: 'where is my order?' });
      const r = await send(a.url, conv, user, {
        type: 'invoke', name: 'signin/tokenExchange', value: { id: 'exchange-verify-1', connectionName: CONNECTION, token: 'teams-sso-token-verify' },
      });
      expect(r.status).to.equal(200);
      expect(r.body).to.deep.include({ id: 'exchange-verify-1', connectionName: CONNECTION });
      const texts = connector.texts(conv).join('\n');
      expect(texts).to.match(/you are verified/);
      // Jana's order (found through tenant + oid), never Avery's (display name, UPN and token name).
      expect(texts).to.match(/TL-20001/);
      expect(texts).to.not.match(/TL-10001|TL-09876/);
      const exchanges = tokens.calls('/api/usertoken/exchange').filter((s) => (s.body as { token?: string }).token === 'teams-sso-token-verify');
      expect(exchanges.length).to.be.greaterThan(0);
      for (const x of exchanges) {
        expect(x.query.get('userId')).to.equal(user.id);
        expect(x.query.get('connectionName')).to.equal(CONNECTION);
        expect(x.query.get('channelId')).to.equal('msteams');
      }
      const ok = await auditEvents(a, 'verification.succeeded');
      expect(ok.length - before).to.equal(1);
      // Bearer tokens (the Teams SSO token and the exchanged one) never reach a log line.
      expect(a.logs.text()).to.not.include('teams-sso-token-verify');
      expect(a.logs.text()).to.not.include(aadToken(TENANT, JANA_OID).split('.')[1]!.slice(0, 40));
      expect(ok.at(-1)).to.include({ method: 'teams_sso', channel: 'msteams' });
      // The session holds: the next protected request is answered without a new sign-in.
      const cardsBefore = tokens.calls('/api/botsignin/GetSignInResource').length;
      await send(a.url, conv, user, { type: 'message', text: 'where is my order?' });
      expect(tokens.calls('/api/botsignin/GetSignInResource').length).to.equal(cardsBefore);
      expect(connector.texts(conv).filter((t) => /TL-20001/.test(t)).length).to.be.greaterThan(1);
    });

    it('two identical signin/tokenExchange invokes posted at once are processed once (eTag de-duplication)', async () => {
      const user = janaAsAvery(3);
      const conv = 'a:teams-sso-dedup';
      tokens.exchangeable.set('teams-sso-token-dedup', aadToken(TENANT, JANA_OID));
      await send(a.url, conv, user, { type: 'message', text: 'where is my order?' });
      const before = (await auditEvents(a, 'verification.succeeded')).length;
      const exchangesBefore = tokens.calls('/api/usertoken/exchange').length;
      const invoke = () => send(a.url, conv, user, {
        type: 'invoke', name: 'signin/tokenExchange', value: { id: 'exchange-dedup-1', connectionName: CONNECTION, token: 'teams-sso-token-dedup' },
      });
      const [r1, r2] = await Promise.all([invoke(), invoke()]);
      expect([r1.status, r2.status]).to.deep.equal([200, 200]);
      const processed = [r1, r2].filter((r) => (r.body as { id?: string } | null)?.id === 'exchange-dedup-1');
      // TeamsSSOTokenExchangeMiddleware's answer to a duplicate: 200 with a null body (the bot's own invoke answer
      // without a prompt would be 200 with no body at all, so this proves the de-duplication answered).
      const deduplicated = [r1, r2].filter((r) => r.body === null);
      expect(processed, 'one invoke answered by the OAuth prompt').to.have.length(1);
      expect(deduplicated, 'the other answered by the de-duplication (200, null body)').to.have.length(1);
      const texts = connector.texts(conv);
      expect(texts.filter((t) => /you are verified/.test(t))).to.have.length(1);
      expect(texts.filter((t) => /TL-20001/.test(t))).to.have.length(1);
      expect((await auditEvents(a, 'verification.succeeded')).length - before).to.equal(1);
      // Both reached the token service (the exchange runs before the de-duplication), none went elsewhere.
      expect(tokens.calls('/api/usertoken/exchange').length - exchangesBefore).to.be.greaterThanOrEqual(2);
    });

    // Only Redis is shared between instances (the in-process store is per instance).
    if (mode === 'Redis storage') {
      it('across two instances on one Redis, identical invokes posted at once are processed once', async () => {
        // A second instance with the same keys and the same Redis: the per-instance turn queue cannot order the two
        // invokes, only the storage eTag write can.
        const b = await startApp({ ...a.env, PORT: '0' });
        try {
          const user = janaAsAvery(6);
          const conv = 'a:teams-sso-dedup-two-instances';
          tokens.exchangeable.set('teams-sso-token-dedup-2', aadToken(TENANT, JANA_OID));
          await send(a.url, conv, user, { type: 'message', text: 'where is my order?' });
          const before = (await auditEvents(a, 'verification.succeeded')).length;
          const invoke = (url: string) => send(url, conv, user, {
            type: 'invoke', name: 'signin/tokenExchange', value: { id: 'exchange-dedup-2', connectionName: CONNECTION, token: 'teams-sso-token-dedup-2' },
          });
          const [r1, r2] = await Promise.all([invoke(a.url), invoke(b.url)]);
          expect([r1.status, r2.status]).to.deep.equal([200, 200]);
          expect([r1, r2].filter((r) => (r.body as { id?: string } | null)?.id === 'exchange-dedup-2')).to.have.length(1);
          expect([r1, r2].filter((r) => r.body === null)).to.have.length(1);
          const texts = connector.texts(conv);
          expect(texts.filter((t) => /you are verified/.test(t))).to.have.length(1);
          expect(texts.filter((t) => /TL-20001/.test(t))).to.have.length(1);
          expect(texts.join('\n')).to.not.match(/something went wrong/);
          expect((await auditEvents(a, 'verification.succeeded')).length - before).to.equal(1);
        } finally {
          await b.stop();
        }
      });
    }

    for (const [label, tid, oid] of [['object id', TENANT, STRANGER_OID], ['tenant id', OTHER_TENANT, JANA_OID]] as const) {
      it(`refuses a token whose ${label} is not the activity's own`, async () => {
        const user = janaAsAvery(label === 'object id' ? 4 : 5);
        const conv = `a:teams-sso-mismatch-${label.replace(' ', '-')}`;
        const token = `teams-sso-token-mismatch-${label.replace(' ', '-')}`;
        tokens.exchangeable.set(token, aadToken(tid, oid));
        const before = (await auditEvents(a, 'verification.succeeded')).length;
        const failedBefore = (await auditEvents(a, 'verification.failed')).length;
        await send(a.url, conv, user, { type: 'message', text: 'where is my order?' });
        const r = await send(a.url, conv, user, {
          type: 'invoke', name: 'signin/tokenExchange', value: { id: `exchange-${token}`, connectionName: CONNECTION, token },
        });
        expect(r.status).to.equal(200);
        const texts = connector.texts(conv).join('\n');
        expect(texts).to.match(/could not match your Teams sign-in/);
        expect(texts).to.not.match(/TL-\d{5}|you are verified/);
        expect((await auditEvents(a, 'verification.succeeded')).length).to.equal(before);
        const failed = await auditEvents(a, 'verification.failed');
        expect(failed.length - failedBefore).to.equal(1);
        expect(failed.at(-1)).to.include({ method: 'teams_sso', outcome: 'identity_mismatch' });
        // And the conversation is still not verified.
        await send(a.url, conv, user, { type: 'message', text: 'where is my order?' });
        expect(connector.texts(conv).join('\n')).to.not.match(/TL-\d{5}/);
      });
    }

    it('sent nothing to a Microsoft host: the stubs received every Bot Framework call', () => {
      expect(tokens.calls('/api/usertoken/GetToken').length).to.be.greaterThan(0);
      expect(tokens.calls('/api/botsignin/GetSignInResource').length).to.be.greaterThan(0);
      expect(tokens.calls('/api/usertoken/exchange').length).to.be.greaterThan(0);
      expect(connector.posted.length).to.be.greaterThan(0);
      // Every reply went to the activity's serviceUrl (the stub), under its path.
      expect(connector.seen.every((s) => s.path.startsWith('/emea/v3/'))).to.equal(true);
      // The monitor saw the calls to the stubs (it works), and nothing else.
      const port = (u: string) => new URL(u).port;
      expect(connections.some((c) => c.endsWith(`:${port(tokens.url)}`))).to.equal(true);
      expect(connections.some((c) => c.endsWith(`:${port(connector.url)}`))).to.equal(true);
      const outside = connections.filter((c) => !isLoopback(c));
      expect(outside, `connections outside loopback: ${outside.join(', ')}`).to.deep.equal([]);
      expect(connections.some((c) => /botframework|microsoft|windows\.net/i.test(c))).to.equal(false);
    });
  });
}
