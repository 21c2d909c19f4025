/**
 * Reuses Bot Framework clients across turns. botbuilder's CloudAdapter builds a new ConnectorClient and a new
 * UserTokenClient (each an Azure core HTTP pipeline of a dozen policies) for every activity it processes: about a
 * tenth of a guarded turn's CPU, spent before the bot reads a word. Both depend only on the bot's app id, the
 * service URL and the audience (and on configuration, fixed for the process), so one per such key is enough; the
 * credentials inside keep their token cache between turns as well. botbuilder's older BotFrameworkAdapter cached
 * its ConnectorClients the same way.
 *
 * The cache is bounded (least recently used out first): service URLs come from activities. In production the
 * channel's token binds the service URL (botbuilder checks the `serviceurl` claim before a factory is used), so a
 * caller cannot fill it with URLs of its choosing beyond the cap anyway.
 */
import { AuthenticationConstants, BotFrameworkAuthentication, type AuthenticateRequestResult, type BotFrameworkClient, type ClaimsIdentity, type ConnectorClient, type ConnectorFactory, type UserTokenClient } from 'botframework-connector';
import type { Activity } from 'botbuilder';

class Lru<V> {
  readonly #m = new Map<string, V>();
  constructor(private readonly max: number) {}
  get(k: string): V | undefined {
    const v = this.#m.get(k);
    if (v !== undefined) { this.#m.delete(k); this.#m.set(k, v); }
    return v;
  }
  set(k: string, v: V): void {
    this.#m.delete(k);
    this.#m.set(k, v);
    if (this.#m.size > this.max) this.#m.delete(this.#m.keys().next().value!);
  }
  delete(k: string): void { this.#m.delete(k); }
  get size(): number { return this.#m.size; }
}

/** The app id botbuilder's own factories use for an identity (audience claim first, then app id claim). */
function appIdOf(identity: ClaimsIdentity): string {
  return identity.getClaimValue(AuthenticationConstants.AudienceClaim) ?? identity.getClaimValue(AuthenticationConstants.AppIdClaim) ?? '';
}

export class ClientCachingAuthentication extends BotFrameworkAuthentication {
  readonly #inner: BotFrameworkAuthentication;
  readonly #connectors: Lru<Promise<ConnectorClient>>;
  readonly #tokenClients: Lru<Promise<UserTokenClient>>;

  constructor(inner: BotFrameworkAuthentication, maxEntries = 256) {
    super();
    this.#inner = inner;
    this.#connectors = new Lru(maxEntries);
    this.#tokenClients = new Lru(Math.max(4, Math.ceil(maxEntries / 16)));
  }

  /** Cached clients (for tests and metrics). */
  get cachedConnectors(): number { return this.#connectors.size; }

  async authenticateRequest(activity: Activity, authHeader: string): Promise<AuthenticateRequestResult> {
    return this.#withCachedFactory(await this.#inner.authenticateRequest(activity, authHeader));
  }

  async authenticateStreamingRequest(authHeader: string, channelIdHeader: string): Promise<AuthenticateRequestResult> {
    return this.#withCachedFactory(await this.#inner.authenticateStreamingRequest(authHeader, channelIdHeader));
  }

  createConnectorFactory(claimsIdentity: ClaimsIdentity): ConnectorFactory {
    return this.#cachedFactory(appIdOf(claimsIdentity), this.#inner.createConnectorFactory(claimsIdentity));
  }

  createUserTokenClient(claimsIdentity: ClaimsIdentity): Promise<UserTokenClient> {
    const key = appIdOf(claimsIdentity);
    return this.#cached(this.#tokenClients, key, () => this.#inner.createUserTokenClient(claimsIdentity));
  }

  override createBotFrameworkClient(): BotFrameworkClient { return this.#inner.createBotFrameworkClient(); }
  override getOriginatingAudience(): string { return this.#inner.getOriginatingAudience(); }
  override authenticateChannelRequest(authHeader: string): Promise<ClaimsIdentity> { return this.#inner.authenticateChannelRequest(authHeader); }

  #withCachedFactory(r: AuthenticateRequestResult): AuthenticateRequestResult {
    return r.connectorFactory ? { ...r, connectorFactory: this.#cachedFactory(appIdOf(r.claimsIdentity), r.connectorFactory) } : r;
  }

  #cachedFactory(appId: string, inner: ConnectorFactory): ConnectorFactory {
    const self = this;
    return {
      create(serviceUrl: string, audience?: string): Promise<ConnectorClient> {
        return self.#cached(self.#connectors, JSON.stringify([appId, serviceUrl, audience ?? '']), () => inner.create(serviceUrl, audience));
      },
    };
  }

  /** One promise per key; a failed creation is forgotten so the next turn tries again. */
  #cached<V>(lru: Lru<Promise<V>>, key: string, make: () => Promise<V>): Promise<V> {
    const hit = lru.get(key);
    if (hit) return hit;
    const p = make();
    lru.set(key, p);
    p.catch(() => { if (lru.get(key) === p) lru.delete(key); });
    return p;
  }
}
