/** Helpers for the handoff and staff tests: a loopback Bot Connector stub, a staff login client, TOTP codes. */
import { createServer, type Server } from 'node:http';
import { generate } from 'otplib';
import type { RunningApp } from '../support/app.js';
import type { StaffRole } from '../../staff/rbac.js';

/** Records what the bot posts to the connector (proactive messages and replies) and answers like the real one. */
export class ConnectorStub {
  readonly posted: { conversationId: string; activity: Record<string, unknown> }[] = [];
  #server: Server | undefined;
  url = '';
  async start(): Promise<this> {
    let n = 0;
    this.#server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const m = /^\/v3\/conversations\/([^/]+)\/activities/.exec(req.url ?? '');
        if (req.method === 'POST' && m) {
          try { this.posted.push({ conversationId: decodeURIComponent(m[1]!), activity: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown> }); } catch { /* ignore */ }
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ id: `stub-${++n}` }));
          return;
        }
        res.writeHead(404);
        res.end();
      });
    });
    await new Promise<void>((r) => this.#server!.listen(0, '127.0.0.1', () => r()));
    const a = this.#server.address();
    this.url = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
    return this;
  }
  texts(conversationId?: string): string[] {
    return this.posted.filter((p) => !conversationId || p.conversationId === conversationId).map((p) => String(p.activity.text ?? ''));
  }
  async waitFor(pred: (text: string) => boolean, conversationId?: string, ms = 5000): Promise<string> {
    const until = Date.now() + ms;
    for (;;) {
      const hit = this.texts(conversationId).find(pred);
      if (hit !== undefined) return hit;
      if (Date.now() > until) throw new Error('connector stub: expected activity not posted');
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  async stop(): Promise<void> {
    await new Promise<void>((r) => this.#server?.close(() => r()) ?? r());
  }
}

export function totpSecretOf(uri: string): string {
  const s = new URL(uri).searchParams.get('secret');
  if (!s) throw new Error('no secret in enrolment URI');
  return s;
}

export function totpCode(secret: string, nowMs: number): Promise<string> {
  return generate({ secret, epoch: Math.floor(nowMs / 1000) });
}

export interface StaffUser { id: string; email: string; password: string; secret: string; roles: StaffRole[] }

let userSeq = 0;
export async function createStaff(app: RunningApp, roles: StaffRole[]): Promise<StaffUser> {
  const email = `staff${++userSeq}.${Date.now()}@bank.example`;
  const password = `correct horse ${userSeq} battery`;
  const r = await app.app.handoff!.accounts.create({ email, roles, password });
  return { id: r.id, email, password, secret: totpSecretOf(r.totpUri), roles };
}

/** A minimal cookie-keeping client for the staff API (same-origin headers like the console's fetch). */
export class StaffClient {
  cookie = '';
  csrf = '';
  constructor(readonly base: string) {}
  async req(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: Record<string, unknown>; headers: Headers; text: string }> {
    const h: Record<string, string> = { Accept: 'application/json', ...headers };
    if (this.cookie) h.Cookie = this.cookie;
    if (body !== undefined) h['Content-Type'] = 'application/json';
    if (method !== 'GET' && this.csrf && !('X-CSRF-Token' in headers)) h['X-CSRF-Token'] = this.csrf;
    const res = await fetch(`${this.base}${path}`, { method, headers: h, redirect: 'manual', ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    const set = res.headers.getSetCookie();
    for (const c of set) {
      const [pair] = c.split(';');
      const [name, value] = pair!.split('=');
      if (name && /tl_staff/.test(name)) this.cookie = value ? `${name}=${value}` : '';
    }
    const text = await res.text();
    let json: Record<string, unknown> = {};
    try { json = text ? (JSON.parse(text) as Record<string, unknown>) : {}; } catch { /* page or stream */ }
    return { status: res.status, json, headers: res.headers, text };
  }
  async loginPassword(u: StaffUser): Promise<number> {
    const r = await this.req('POST', '/api/staff/login', { email: u.email, password: u.password });
    if (typeof r.json.csrf === 'string') this.csrf = r.json.csrf;
    return r.status;
  }
  async login(u: StaffUser, nowMs: number): Promise<void> {
    const a = await this.loginPassword(u);
    if (a !== 200) throw new Error(`password step: ${a}`);
    const b = await this.req('POST', '/api/staff/login/totp', { code: await totpCode(u.secret, nowMs) });
    if (b.status !== 200) throw new Error(`totp step: ${b.status}`);
    this.csrf = String(b.json.csrf);
  }
}

/** A clock tests move by hand (injected into the app). */
export class TestClock {
  constructor(public t = Date.now()) {}
  now(): number { return this.t; }
  advance(ms: number): void { this.t += ms; }
}
