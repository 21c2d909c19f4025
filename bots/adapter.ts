import { CallerIdConstants, CloudAdapter, ConfigurationBotFrameworkAuthentication, type Activity, type InvokeResponse, type TurnContext } from 'botbuilder';
import { AuthenticationConstants, AuthenticationError, ClaimsIdentity, MsalServiceClientCredentialsFactory, type AuthenticateRequestResult } from 'botframework-connector';
import { ConfidentialClientApplication } from '@azure/msal-node';
import type { AppConfig, Secrets } from '../config.js';
import { ClientCachingAuthentication } from './clientCache.js';

/** The channel's token was refused (401): no signature, bad signature, wrong issuer/audience, expired, serviceUrl. */
export class ChannelAuthRefused extends Error {
  constructor() { super('channel authentication refused'); this.name = 'ChannelAuthRefused'; }
}
/** The channel's token could not be checked (OpenID metadata unreachable): 503, the channel retries. */
export class ChannelAuthUnavailable extends Error {
  constructor() { super('channel authentication unavailable'); this.name = 'ChannelAuthUnavailable'; }
}

const JWT_ERRORS = new Set(['JsonWebTokenError', 'TokenExpiredError', 'NotBeforeError']);

/**
 * CloudAdapter with its activity processing exposed, so the HTTP layer answers every request itself: botbuilder's
 * `process()` writes exception text into 500 bodies and prints errors with console.error (STACK-NOTES.md).
 * Authentication runs first and on its own, so every way a token can fail maps to one of two generic outcomes
 * (botbuilder lets jsonwebtoken's own errors, e.g. a bad signature, through without a status code).
 */
export class TrustlineAdapter extends CloudAdapter {
  async handleActivity(authHeader: string, activity: Activity, logic: (context: TurnContext) => Promise<void>): Promise<InvokeResponse | undefined> {
    let auth: AuthenticateRequestResult;
    try {
      auth = await this.botFrameworkAuthentication.authenticateRequest(activity, authHeader);
    } catch (err) {
      if (err instanceof AuthenticationError && err.statusCode === 401) throw new ChannelAuthRefused();
      if (err instanceof Error && JWT_ERRORS.has(err.name)) throw new ChannelAuthRefused();
      if ((err as { statusCode?: unknown })?.statusCode === 401) throw new ChannelAuthRefused();
      throw new ChannelAuthUnavailable();
    }
    return this.processActivity(withAnonymousAppId(auth), activity, logic);
  }
}

/**
 * Without an app id (development, authentication disabled) botbuilder's identity carries no claim at all, and its
 * user token client then refuses to build the OAuth sign-in state (zod: appId required): every OAuth prompt, hence
 * Teams SSO against the configured token service (OAuthUrl), failed the turn. That identity (the only one without
 * claims: a channel token always has some, the emulator's anonymous skill claim has its app id) gets the empty app
 * id the configuration has.
 */
function withAnonymousAppId(auth: AuthenticateRequestResult): AuthenticateRequestResult {
  if (auth.claimsIdentity.claims.length > 0) return auth;
  return { ...auth, claimsIdentity: new ClaimsIdentity([{ type: AuthenticationConstants.AppIdClaim, value: '' }], AuthenticationConstants.AnonymousAuthType) };
}

export function createAdapter(config: Readonly<AppConfig>, secrets: Readonly<Secrets>): TrustlineAdapter {
  // Settings come from our validated config, never from process.env directly. botbuilder uses its public-cloud
  // constants only when NO endpoint is set; as soon as one is (Teams SSO token service, a test stub), it expects all
  // of them, so every endpoint is passed, Microsoft's value wherever ours is unset.
  const ca = config.ops.channelAuth;
  // Outbound token authority (TEST_BF_LOGIN_URL, loopback test stub only): MSAL trusts an authority it does not know
  // only when told it is known (otherwise it asks Microsoft's instance discovery about it), so that one case gets an
  // MSAL client configured so; the client-credentials exchange with the app id and password is the same.
  const stubAuthority = ca.loginUrl && config.bot.appId
    ? new MsalServiceClientCredentialsFactory(config.bot.appId, new ConfidentialClientApplication({
      auth: { clientId: config.bot.appId, clientSecret: secrets.appPassword, authority: ca.loginUrl, knownAuthorities: [new URL(ca.loginUrl).host] },
      // The ESM and CommonJS typings of msal-node are distinct classes to the compiler; botbuilder only calls it.
    }) as unknown as ConstructorParameters<typeof MsalServiceClientCredentialsFactory>[1])
    : undefined;
  const auth = new ConfigurationBotFrameworkAuthentication({
    MicrosoftAppId: config.bot.appId,
    MicrosoftAppPassword: secrets.appPassword,
    MicrosoftAppType: config.bot.appType,
    MicrosoftAppTenantId: config.bot.tenantId,
    ValidateAuthority: true,
    ToChannelFromBotLoginUrl: ca.loginUrl ?? AuthenticationConstants.ToChannelFromBotLoginUrl,
    ToChannelFromBotOAuthScope: AuthenticationConstants.ToChannelFromBotOAuthScope,
    ToBotFromChannelTokenIssuer: ca.tokenIssuer ?? AuthenticationConstants.ToBotFromChannelTokenIssuer,
    // Teams SSO: the Bot Framework token service (a regional one in production, a loopback stub in tests).
    OAuthUrl: ca.oAuthUrl ?? AuthenticationConstants.OAuthUrl,
    ToBotFromChannelOpenIdMetadataUrl: ca.openIdMetadataUrl ?? AuthenticationConstants.ToBotFromChannelOpenIdMetadataUrl,
    // The emulator path is refused in production by the HTTP layer; its metadata stays Microsoft's.
    ToBotFromEmulatorOpenIdMetadataUrl: AuthenticationConstants.ToBotFromEmulatorOpenIdMetadataUrl,
    CallerId: CallerIdConstants.PublicAzureChannel,
  }, stubAuthority);
  return new TrustlineAdapter(new ClientCachingAuthentication(auth));
}
