/**
 * HTTPS loopback stand-ins for Azure and Bot Framework services the bot calls out to, for the production tests:
 * Azure Key Vault (secrets API with its 401 challenge), the App Service managed-identity endpoint (plain http on
 * loopback, as on App Service), the Bot Framework token authority (OpenID metadata + client-credentials token
 * endpoint, like login.microsoftonline.com) and a Bot Connector. The https ones present a certificate of a test CA
 * (test/production/support/tlsRedis.ts `makeTestCa`); the bot trusts it through NODE_EXTRA_CA_CERTS.
 */
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server } from 'node:https';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { TestCa } from './tlsRedis.js';

export interface Call { method: string; url: string; headers: IncomingMessage['headers']; body: string }

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

function collect(handler: Handler, calls: Call[]) {
  return (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      calls.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      handler(req, res, body);
    });
  };
}

async function listenOn(server: Server | ReturnType<typeof createHttpServer>, scheme: 'http' | 'https') {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const a = server.address();
  const port = typeof a === 'object' && a ? a.port : 0;
  return {
    url: `${scheme}://127.0.0.1:${port}`,
    port,
    close: () => new Promise<void>((r) => { server.close(() => r()); server.closeAllConnections(); }),
  };
}

/** An https server with the test CA's server certificate (127.0.0.1 / localhost). */
async function httpsStub(ca: TestCa, handler: Handler) {
  const calls: Call[] = [];
  const tlsErrors: string[] = [];
  const server = createHttpsServer({ key: readFileSync(ca.keyFile), cert: readFileSync(ca.certFile) }, collect(handler, calls));
  server.on('tlsClientError', (err) => tlsErrors.push((err as NodeJS.ErrnoException).code ?? err.message));
  return { ...(await listenOn(server, 'https')), calls, tlsErrors };
}

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
};

/** App Service's managed-identity endpoint (IDENTITY_ENDPOINT + IDENTITY_HEADER, api-version 2019-08-01). */
export async function startManagedIdentity() {
  const header = randomBytes(12).toString('hex');
  const token = `mi-token-${randomBytes(12).toString('hex')}`;
  const calls: Call[] = [];
  let refuse = false;
  const server = createHttpServer(collect((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    if (refuse || req.headers['x-identity-header'] !== header) return json(res, 401, { statusCode: 401, message: 'Unauthorized' });
    if (u.searchParams.get('api-version') !== '2019-08-01' || !u.searchParams.get('resource')) return json(res, 400, { statusCode: 400, message: 'bad request' });
    json(res, 200, { access_token: token, expires_on: String(Math.floor(Date.now() / 1000) + 3600), resource: u.searchParams.get('resource'), token_type: 'Bearer', client_id: u.searchParams.get('client_id') ?? 'system' });
  }, calls));
  const l = await listenOn(server, 'http');
  return {
    ...l, calls, header, token,
    env: { IDENTITY_ENDPOINT: `${l.url}/msi/token`, IDENTITY_HEADER: header },
    refuseAll(on: boolean) { refuse = on; },
  };
}

/**
 * Azure Key Vault's secrets API: a request without the managed identity's bearer token gets the 401 challenge
 * (like the real service, whose client first sends an unauthenticated request); with it, list and get.
 */
export async function startKeyVault(ca: TestCa, acceptToken: string) {
  const secrets = new Map<string, { value: string; enabled: boolean; version: string }>();
  const srv = await httpsStub(ca, (req, res) => {
    if (req.headers.authorization !== `Bearer ${acceptToken}`) {
      return json(res, 401, { error: { code: 'Unauthorized', message: 'AKV10000: Request is missing a Bearer or PoP token.' } }, {
        'www-authenticate': 'Bearer authorization="https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47", resource="https://vault.azure.net"',
      });
    }
    const u = new URL(req.url ?? '/', 'https://x');
    const base = srv.url;
    if (req.method === 'GET' && /^\/secrets\/?$/.test(u.pathname)) {
      return json(res, 200, {
        value: [...secrets.entries()].map(([name, s]) => ({ id: `${base}/secrets/${name}`, attributes: { enabled: s.enabled, created: 1700000000, updated: 1700000000, recoveryLevel: 'Recoverable' }, tags: {} })),
        nextLink: null,
      });
    }
    const m = /^\/secrets\/([A-Za-z0-9-]+)\/?([A-Za-z0-9]*)$/.exec(u.pathname);
    if (req.method === 'GET' && m) {
      const s = secrets.get(m[1]!);
      if (!s) return json(res, 404, { error: { code: 'SecretNotFound', message: `A secret with (name/id) ${m[1]} was not found in this key vault.` } });
      if (!s.enabled) return json(res, 403, { error: { code: 'Forbidden', message: 'Operation get is not allowed on a disabled secret.', innererror: { code: 'SecretDisabled' } } });
      return json(res, 200, { value: s.value, id: `${base}/secrets/${m[1]}/${s.version}`, attributes: { enabled: true, created: 1700000000, updated: 1700000000, recoveryLevel: 'Recoverable' }, tags: {} });
    }
    json(res, 404, { error: { code: 'NotFound', message: 'not found' } });
  });
  return {
    ...srv,
    secrets,
    set(name: string, value: string) { secrets.set(name, { value, enabled: true, version: randomBytes(16).toString('hex') }); },
    disable(name: string) { const s = secrets.get(name); if (s) s.enabled = false; },
    delete(name: string) { secrets.delete(name); },
  };
}

/**
 * The Bot Framework token authority (login.microsoftonline.com/botframework.com): OpenID metadata and a token
 * endpoint that issues an access token for the client-credentials grant with the right app id and password only.
 */
export async function startTokenAuthority(ca: TestCa, app: { id: string; password: string }) {
  const issued: string[] = [];
  const srv = await httpsStub(ca, (req, res, body) => {
    const u = new URL(req.url ?? '/', 'https://x');
    const tenant = u.pathname.split('/')[1] ?? '';
    const root = `${srv.url}/${tenant}`;
    if (req.method === 'GET' && u.pathname === `/${tenant}/v2.0/.well-known/openid-configuration`) {
      return json(res, 200, {
        issuer: `${root}/v2.0`, token_endpoint: `${root}/oauth2/v2.0/token`, authorization_endpoint: `${root}/oauth2/v2.0/authorize`,
        jwks_uri: `${root}/discovery/v2.0/keys`, end_session_endpoint: `${root}/oauth2/v2.0/logout`, response_types_supported: ['code'],
      });
    }
    if (req.method === 'POST' && u.pathname === `/${tenant}/oauth2/v2.0/token`) {
      const f = new URLSearchParams(body);
      if (f.get('grant_type') !== 'client_credentials' || f.get('client_id') !== app.id || f.get('client_secret') !== app.password) {
        return json(res, 401, { error: 'invalid_client', error_description: 'AADSTS7000215: Invalid client secret provided.' });
      }
      if (f.get('scope') !== 'https://api.botframework.com/.default') return json(res, 400, { error: 'invalid_scope', error_description: 'AADSTS70011' });
      const token = `bf-token-${randomBytes(12).toString('hex')}`;
      issued.push(token);
      return json(res, 200, { token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: token });
    }
    json(res, 404, { error: 'not_found' });
  });
  return { ...srv, issued, loginUrl: `${srv.url}/botframework.com` };
}

/** A Bot Connector over https: records every call, answers like the real one. */
export async function startTlsConnector(ca: TestCa) {
  let n = 0;
  const srv = await httpsStub(ca, (req, res) => {
    if (req.method === 'POST' && /^\/v3\/conversations\/[^/]+\/activities/.test(req.url ?? '')) return json(res, 200, { id: `reply-${++n}` });
    json(res, 404, {});
  });
  return {
    ...srv,
    /** Activities posted to a conversation, with the Authorization header each came with. */
    posted(conversationId?: string): { conversationId: string; authorization: string | undefined; activity: Record<string, unknown> }[] {
      return srv.calls.flatMap((c) => {
        const m = /^\/v3\/conversations\/([^/]+)\/activities/.exec(c.url);
        if (c.method !== 'POST' || !m) return [];
        const conv = decodeURIComponent(m[1]!);
        if (conversationId && conv !== conversationId) return [];
        let activity: Record<string, unknown> = {};
        try { activity = JSON.parse(c.body) as Record<string, unknown>; } catch { /* keep empty */ }
        return [{ conversationId: conv, authorization: c.headers.authorization, activity }];
      });
    },
  };
}
