/** Starts a whole Trustline app in-process on a loopback port, with logs captured for privacy assertions. */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { loadConfig } from '../../config.js';
import { createApp, type App } from '../../app.js';
import type { Clock } from '../../dialogs/clock.js';

export const key = () => randomBytes(32).toString('base64');

export function testEnv(extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return {
    TRUSTLINE_PROFILE: 'development',
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    TRUSTLINE_MASTER_KEYS: `v1:${key()}`,
    TRUSTLINE_KEYNAME_KEY: key(),
    TRUSTLINE_AUDIT_KEY: key(),
    TRUSTLINE_CODE_HASH_KEY: key(),
    TRUSTLINE_PII_HASH_KEY: key(),
    TRUSTLINE_DEV_KEY_FILE: join(mkdtempSync(join(tmpdir(), 'tl-keys-')), 'dev-keys.json'),
    // Tests of other features start on fresh conversations and expect service answers: the consent notice is
    // answered "keep" for them. Consent tests pass CONSENT_PRESET: undefined to get the real first contact.
    CONSENT_PRESET: 'keep',
    // Codes never go to the developer's outbox file from a test.
    OTP_OUTBOX_FILE: join(mkdtempSync(join(tmpdir(), 'tl-outbox-')), 'outbox.log'),
    ...extra,
  };
}

export class LogCapture extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _enc: string, cb: () => void): void {
    this.lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    cb();
  }
  text(): string { return this.lines.join('\n'); }
  events(): string[] { return this.lines.map((l) => { try { return String(JSON.parse(l).event); } catch { return ''; } }); }
}

export interface RunningApp { app: App; url: string; logs: LogCapture; env: Record<string, string | undefined>; stop(): Promise<void> }

export async function startApp(extra: Record<string, string | undefined> = {}, opts: { clock?: Clock; waitReady?: boolean } = {}): Promise<RunningApp> {
  const env = testEnv(extra);
  const logs = new LogCapture();
  const app = await createApp(loadConfig(env), { logDestination: logs, ...(opts.clock ? { clock: opts.clock } : {}) });
  const url = await app.listen();
  if (opts.waitReady !== false) {
    const until = Date.now() + 30_000;
    while (!app.isReady() && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
  }
  return { app, url, logs, env, stop: () => app.close() };
}

let seq = 0;
export interface TurnOptions { conversationId?: string; userId?: string; locale?: string; channelId?: string; type?: string; extra?: Record<string, unknown> }

/** One turn with deliveryMode expectReplies: the replies come back in the response body (STACK-NOTES.md). */
export async function turn(url: string, text: string | undefined, o: TurnOptions = {}): Promise<{ status: number; texts: string[]; body: unknown }> {
  const activity = {
    type: o.type ?? 'message',
    id: `act-${++seq}`,
    channelId: o.channelId ?? 'test',
    serviceUrl: 'http://127.0.0.1:9/unused',
    deliveryMode: 'expectReplies',
    conversation: { id: o.conversationId ?? 'conv-1' },
    from: { id: o.userId ?? 'user-1' },
    recipient: { id: 'bot' },
    ...(text !== undefined ? { text } : {}),
    ...(o.locale ? { locale: o.locale } : {}),
    ...(o.extra ?? {}),
  };
  const res = await fetch(`${url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity) });
  const raw = await res.text();
  let body: unknown = raw;
  try { body = raw ? JSON.parse(raw) : undefined; } catch { /* keep text */ }
  const acts = ((body as { activities?: { type: string; text?: string }[] })?.activities ?? []);
  return { status: res.status, texts: acts.filter((a) => a.type === 'message').map((a) => a.text ?? ''), body };
}
