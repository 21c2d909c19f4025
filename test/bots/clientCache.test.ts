import { expect } from 'chai';
import { AuthenticationConstants, BotFrameworkAuthentication, ClaimsIdentity, type AuthenticateRequestResult, type ConnectorClient, type ConnectorFactory, type UserTokenClient } from 'botframework-connector';
import type { Activity } from 'botbuilder';
import { ClientCachingAuthentication } from '../../bots/clientCache.js';
import { createAdapter } from '../../bots/adapter.js';
import { loadConfig } from '../../config.js';

/** Counts what the wrapped authentication builds; every client is a distinct object. */
class CountingAuth extends BotFrameworkAuthentication {
  connectors = 0;
  tokenClients = 0;
  failNext = false;
  factory(): ConnectorFactory {
    return { create: async (serviceUrl: string, audience?: string) => {
      if (this.failNext) { this.failNext = false; throw new Error('token authority unreachable'); }
      this.connectors++;
      return { serviceUrl, audience, n: this.connectors } as unknown as ConnectorClient;
    } };
  }
  async authenticateRequest(_a: Activity, header: string): Promise<AuthenticateRequestResult> {
    return { audience: 'https://api.botframework.com', callerId: 'x', claimsIdentity: identity(header), connectorFactory: this.factory() };
  }
  async authenticateStreamingRequest(): Promise<AuthenticateRequestResult> { throw new Error('unused'); }
  createConnectorFactory(): ConnectorFactory { return this.factory(); }
  async createUserTokenClient(ci: ClaimsIdentity): Promise<UserTokenClient> {
    this.tokenClients++;
    return { appId: ci.getClaimValue(AuthenticationConstants.AppIdClaim), n: this.tokenClients } as unknown as UserTokenClient;
  }
}
const identity = (appId: string) => new ClaimsIdentity([{ type: AuthenticationConstants.AppIdClaim, value: appId }], true);
const activity = { type: 'message', serviceUrl: 'https://smba.example/emea/' } as Activity;

describe('bots/clientCache: Bot Framework clients reused across turns', () => {
  it('one ConnectorClient per app id, service URL and audience, whichever request path created the factory', async () => {
    const inner = new CountingAuth();
    const auth = new ClientCachingAuthentication(inner);
    const r1 = await auth.authenticateRequest(activity, 'app-1');
    const r2 = await auth.authenticateRequest(activity, 'app-1');
    const c1 = await r1.connectorFactory!.create('https://smba.example/emea/', 'aud');
    const c2 = await r2.connectorFactory!.create('https://smba.example/emea/', 'aud');
    expect(c2).to.equal(c1);
    expect(await auth.createConnectorFactory(identity('app-1')).create('https://smba.example/emea/', 'aud')).to.equal(c1);
    // Any part of the key differing gives its own client.
    const others = [
      await r1.connectorFactory!.create('https://smba.example/amer/', 'aud'),
      await r1.connectorFactory!.create('https://smba.example/emea/', 'other-aud'),
      await (await auth.authenticateRequest(activity, 'app-2')).connectorFactory!.create('https://smba.example/emea/', 'aud'),
    ];
    expect(new Set([c1, ...others]).size).to.equal(4);
    expect(inner.connectors).to.equal(4);
  });

  it('one UserTokenClient per app id', async () => {
    const inner = new CountingAuth();
    const auth = new ClientCachingAuthentication(inner);
    const a = await auth.createUserTokenClient(identity('app-1'));
    expect(await auth.createUserTokenClient(identity('app-1'))).to.equal(a);
    expect(await auth.createUserTokenClient(identity('app-2'))).to.not.equal(a);
    expect(inner.tokenClients).to.equal(2);
  });

  it('is bounded: service URLs beyond the cap push out the least recently used', async () => {
    const inner = new CountingAuth();
    const auth = new ClientCachingAuthentication(inner, 8);
    const f = auth.createConnectorFactory(identity('app-1'));
    const first = await f.create('https://s0.example/', 'aud');
    for (let i = 1; i < 100; i++) await f.create(`https://s${i}.example/`, 'aud');
    expect(auth.cachedConnectors).to.equal(8);
    expect(await f.create('https://s0.example/', 'aud')).to.not.equal(first);
    expect(await f.create('https://s99.example/', 'aud')).to.have.property('n', 100);
  });

  it('a failed creation is not cached: the next turn tries again', async () => {
    const inner = new CountingAuth();
    const auth = new ClientCachingAuthentication(inner);
    const f = auth.createConnectorFactory(identity('app-1'));
    inner.failNext = true;
    let failed = false;
    try { await f.create('https://smba.example/', 'aud'); } catch { failed = true; }
    expect(failed).to.equal(true);
    const c = await f.create('https://smba.example/', 'aud');
    expect(c).to.have.property('serviceUrl', 'https://smba.example/');
    expect(await f.create('https://smba.example/', 'aud')).to.equal(c);
  });

  it('the app adapter reuses its clients turn after turn (real botbuilder clients)', async () => {
    const { config, secrets } = loadConfig({ TRUSTLINE_PROFILE: 'development', TRUSTLINE_DEV_KEY_FILE: '/nonexistent/dir/k.json', TRUSTLINE_MASTER_KEYS: `v1:${Buffer.alloc(32, 1).toString('base64')}`, TRUSTLINE_KEYNAME_KEY: Buffer.alloc(32, 2).toString('base64'), TRUSTLINE_AUDIT_KEY: Buffer.alloc(32, 3).toString('base64'), TRUSTLINE_CODE_HASH_KEY: Buffer.alloc(32, 4).toString('base64'), TRUSTLINE_PII_HASH_KEY: Buffer.alloc(32, 5).toString('base64') });
    const adapter = createAdapter(config, secrets);
    const seen: { connector: unknown; token: unknown }[] = [];
    for (let i = 0; i < 3; i++) {
      await adapter.handleActivity('', { type: 'message', text: 'hi', channelId: 'test', serviceUrl: 'http://127.0.0.1:9', deliveryMode: 'expectReplies', conversation: { id: `c${i}` }, from: { id: 'u' }, recipient: { id: 'b' } } as Activity, async (ctx) => {
        seen.push({ connector: ctx.turnState.get(adapter.ConnectorClientKey), token: ctx.turnState.get(adapter.UserTokenClientKey) });
      });
    }
    expect(seen).to.have.length(3);
    expect(seen[0]!.connector).to.be.an('object');
    expect(seen[1]!.connector).to.equal(seen[0]!.connector);
    expect(seen[2]!.connector).to.equal(seen[0]!.connector);
    expect(seen[2]!.token).to.equal(seen[0]!.token);
  });
});
