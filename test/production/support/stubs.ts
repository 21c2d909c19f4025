/**
 * Loopback stand-ins for Microsoft's services, for the production tests: the Bot Framework channel-token OpenID
 * metadata + JWKS (with a signer), the channel connector (records every call the bot makes) and the Direct Line
 * token API. All on 127.0.0.1, random ports.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { exportJWK, generateKeyPair, SignJWT, type JWTPayload } from 'jose';

export const BF_ISSUER = 'https://api.botframework.com';

export interface Recorded { method: string; url: string; headers: IncomingMessage['headers']; body: string }

async function listen(handler: (req: IncomingMessage, res: ServerResponse, body: string) => void): Promise<{ server: Server; url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handler(req, res, Buffer.concat(chunks).toString('utf8')));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return { server, url: `http://127.0.0.1:${port}`, close: () => new Promise<void>((r) => { server.close(() => r()); server.closeAllConnections(); }) };
}

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};

export type SigningKey = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

/** OpenID metadata + JWKS like login.botframework.com, keys with channel endorsements, and a token signer. */
export async function startChannelTokenAuthority() {
  const main = await generateKeyPair('RS256', { extractable: true });
  const teamsOnly = await generateKeyPair('RS256', { extractable: true });
  const stranger = await generateKeyPair('RS256', { extractable: true });
  const jwk = async (k: typeof main.publicKey, kid: string, endorsements: string[]) => ({ ...(await exportJWK(k)), kid, use: 'sig', endorsements });
  const keys = [await jwk(main.publicKey, 'k-main', ['webchat', 'directline', 'msteams', 'test', 'emulator']), await jwk(teamsOnly.publicKey, 'k-teams', ['msteams'])];
  let metadataCalls = 0;
  const srv = await listen((req, res) => {
    if (req.url === '/v1/.well-known/openidconfiguration') { metadataCalls++; return json(res, 200, { issuer: BF_ISSUER, jwks_uri: `${srv.url}/v1/keys`, id_token_signing_alg_values_supported: ['RS256'] }); }
    if (req.url === '/v1/keys') return json(res, 200, { keys });
    json(res, 404, {});
  });
  return {
    metadataUrl: `${srv.url}/v1/.well-known/openidconfiguration`,
    metadataCalls: () => metadataCalls,
    keys: { main: main.privateKey, teamsOnly: teamsOnly.privateKey, stranger: stranger.privateKey, mainPublic: main.publicKey },
    /** A channel token as the Bot Connector sends it; override anything to make it wrong. */
    async sign(o: { appId: string; serviceUrl: string; key?: SigningKey; kid?: string; iss?: string; aud?: string; expSecondsFromNow?: number; extra?: JWTPayload }): Promise<string> {
      const now = Math.floor(Date.now() / 1000);
      const exp = now + (o.expSecondsFromNow ?? 600);
      return new SignJWT({ serviceurl: o.serviceUrl, ...(o.extra ?? {}) })
        .setProtectedHeader({ alg: 'RS256', kid: o.kid ?? 'k-main', typ: 'JWT' })
        .setIssuer(o.iss ?? BF_ISSUER).setAudience(o.aud ?? o.appId).setIssuedAt(Math.min(now, exp - 60)).setNotBefore(Math.min(now, exp - 60)).setExpirationTime(exp)
        .sign(o.key ?? main.privateKey);
    },
    close: srv.close,
  };
}

/** An unsigned token (`alg: none`) with the claims of a valid one. */
export function unsignedToken(claims: Record<string, unknown>, kid = 'k-main'): string {
  const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${b64({ alg: 'none', typ: 'JWT', kid })}.${b64(claims)}.`;
}

/** A Bot Framework connector (the activity's serviceUrl): records every call, answers like the real one. */
export async function startConnector() {
  const calls: Recorded[] = [];
  const srv = await listen((req, res, body) => {
    calls.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
    json(res, 200, { id: `reply-${calls.length}` });
  });
  return { url: srv.url, calls, close: srv.close };
}

/** The Direct Line token API: POST /v3/directline/tokens/generate with the secret as a bearer token. */
export async function startDirectLine(secret: string, opts: { status?: number; body?: unknown } = {}) {
  const calls: Recorded[] = [];
  const srv = await listen((req, res, body) => {
    calls.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
    if (req.method !== 'POST' || req.url !== '/v3/directline/tokens/generate') return json(res, 404, { error: { code: 'NotFound' } });
    if (req.headers.authorization !== `Bearer ${secret}`) return json(res, 403, { error: { code: 'BadArgument', message: 'bad secret' } });
    if (opts.status) return json(res, opts.status, opts.body ?? { error: { code: 'ServiceError' } });
    let user = '';
    try { user = String((JSON.parse(body) as { user?: { id?: string } }).user?.id ?? ''); } catch { /* empty */ }
    json(res, 200, opts.body ?? { conversationId: `conv-${calls.length}`, token: `dl-token-for-${user}`, expires_in: 3600 });
  });
  return { url: srv.url, calls, close: srv.close };
}
