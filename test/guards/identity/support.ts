/** Helpers for identity tests: a movable clock and the codes the app wrote to its outbox file. */
import { readFileSync, existsSync } from 'node:fs';
import { SMTPServer } from 'smtp-server';
import { createServer, type Server } from 'node:http';
import { startApp, type RunningApp } from '../../support/app.js';

export class TestClock {
  constructor(public t: number) {}
  now(): number { return this.t; }
  advance(ms: number): void { this.t += ms; }
}

export const MIN = 60_000;

/** The newest code the app delivered (development outbox file), after the background delivery finished. */
export async function lastOutboxCode(a: RunningApp): Promise<{ code: string; to: string; channel: string } | undefined> {
  await a.app.identity.delivery.idle();
  const file = a.env.OTP_OUTBOX_FILE!;
  if (!existsSync(file)) return undefined;
  const lines = readFileSync(file, 'utf8').trim().split('\n').filter(Boolean);
  const last = lines[lines.length - 1];
  return last ? (JSON.parse(last) as { code: string; to: string; channel: string }) : undefined;
}

export async function outboxCount(a: RunningApp): Promise<number> {
  await a.app.identity.delivery.idle();
  const file = a.env.OTP_OUTBOX_FILE!;
  return existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).length : 0;
}


/** A loopback SMTP server (no TLS, no auth) that keeps every message; tests read codes from it. */
export async function startSmtp(): Promise<{ url: string; messages: { to: string; raw: string }[]; lastCode(to?: string): string | undefined; stop(): Promise<void> }> {
  const messages: { to: string; raw: string }[] = [];
  const server = new SMTPServer({
    authOptional: true, disabledCommands: ['STARTTLS', 'AUTH'], logger: false, hideSTARTTLS: true,
    onData(stream, session, cb) {
      let raw = '';
      stream.on('data', (d: Buffer) => { raw += d.toString('utf8'); });
      stream.on('end', () => { messages.push({ to: session.envelope.rcptTo.map((r) => r.address).join(','), raw }); cb(); });
    },
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.server.address() as { port: number }).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    lastCode(to?: string) {
      const m = [...messages].reverse().find((x) => !to || x.to === to);
      return m ? /\b([0-9]{6,10}) (?:is your|ist Ihr|est votre|es su)/.exec(m.raw.replace(/=\r?\n/g, ''))?.[1] : undefined;
    },
    stop: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** A loopback SMS provider: records `{ to, from, text }` posts with their bearer token. */
export async function startSmsStub(token: string): Promise<{ url: string; messages: { to: string; text: string }[]; lastCode(): string | undefined; stop(): Promise<void> }> {
  const messages: { to: string; text: string }[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => { body += d.toString(); });
    req.on('end', () => {
      if (req.headers.authorization !== `Bearer ${token}`) { res.statusCode = 401; res.end(); return; }
      const m = JSON.parse(body) as { to: string; text: string };
      messages.push(m);
      res.statusCode = 202;
      res.setHeader('content-type', 'application/json');
      res.end('{"status":"queued"}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}/sms`,
    messages,
    lastCode: () => /^([0-9]{6,10}) /.exec(messages[messages.length - 1]?.text ?? '')?.[1],
    stop: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

/**
 * The whole app as a customer meets it in the browser: codes go to a local SMTP server, and the privacy notice is
 * asked (no test preset). Shared by the Chromium tests of verification and export.
 */
export async function startAppWithSmtp(extra: Record<string, string | undefined> = {}): Promise<{ app: RunningApp; smtp: Awaited<ReturnType<typeof startSmtp>>; stop(): Promise<void> }> {
  const smtp = await startSmtp();
  const app = await startApp({ SMTP_URL: smtp.url, SMTP_FROM: 'no-reply@trustline.example', SMTP_REQUIRE_TLS: 'false', CONSENT_PRESET: undefined, ...extra });
  return { app, smtp, stop: async () => { await app.stop(); await smtp.stop(); } };
}
