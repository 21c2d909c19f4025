/**
 * `npm run bench:soak`: a steady rate of mixed conversations against the whole bot (encrypted Redis state,
 * transcripts, verification, handoff) on loopback, for SOAK_SECONDS (default 60; the closing note quotes 300).
 * Mix per worker loop: redaction-heavy messages, a full one-time-code verification with the order status answer,
 * and an escalation to a person that is then cancelled. Reports throughput, p50/p99 per request, errors, and the
 * server's memory (RSS) over time. Not part of `npm test`.
 * Settings: SOAK_SECONDS, SOAK_WORKERS (default 8), SOAK_RATE (requests per second in all, default 60).
 */
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRedis } from '../test/support/redis.js';
import { ensureBuilt, GUARDED_SERVER, startChild, table } from './support.js';

const SECONDS = Number(process.env.SOAK_SECONDS ?? 60);
const WORKERS = Number(process.env.SOAK_WORKERS ?? 8);
const RATE = Number(process.env.SOAK_RATE ?? 60);
const key = () => randomBytes(32).toString('base64');

// A directory big enough that no account hits the send limits (3 codes per 15 minutes per account).
const dir = mkdtempSync(join(tmpdir(), 'tl-soak-'));
const base = JSON.parse(readFileSync('data/customers.json', 'utf8')) as { version: 1; customers: Record<string, unknown>[] };
const template = base.customers[0]!;
const CUSTOMERS = 3000;
const customers = Array.from({ length: CUSTOMERS }, (_, i) => ({ ...template, customerNumber: `C9${String(i).padStart(6, '0')}`, email: `soak${i}@example.com`, phone: `+1555${String(7000000 + i)}` }));
writeFileSync(join(dir, 'customers.json'), JSON.stringify({ version: 1, customers }));
const outbox = join(dir, 'outbox.log');

ensureBuilt();
const redis = await startRedis();
const server = await startChild(GUARDED_SERVER, {
  TRUSTLINE_PROFILE: 'development', REDIS_URL: redis.url, TRUSTLINE_MASTER_KEYS: `v1:${key()}`, TRUSTLINE_KEYNAME_KEY: key(), TRUSTLINE_AUDIT_KEY: key(),
  TRUSTLINE_CODE_HASH_KEY: key(), TRUSTLINE_PII_HASH_KEY: key(), LOCAL_CHAT_ENABLED: 'false', CONSENT_PRESET: 'keep',
  CUSTOMER_DIRECTORY_FILE: join(dir, 'customers.json'), OTP_OUTBOX_FILE: outbox,
});

const agent = new http.Agent({ keepAlive: true, maxSockets: WORKERS });
const latencies: number[] = [];
let errors = 0;
let requests = 0;
let verifications = 0;
let escalations = 0;
// Global pacing: one token per 1/RATE seconds, shared by all workers (a steady offered load, not a closed loop).
let nextSlot = performance.now();
async function paced(): Promise<void> {
  const now = performance.now();
  nextSlot = Math.max(nextSlot + 1000 / RATE, now);
  const wait = nextSlot - now;
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
}

async function say(conv: string, user: string, text: string): Promise<string> {
  await paced();
  const payload = JSON.stringify({ type: 'message', channelId: 'soak', serviceUrl: 'http://127.0.0.1:9', deliveryMode: 'expectReplies', conversation: { id: conv }, from: { id: user }, recipient: { id: 'bot' }, locale: 'en-US', text });
  const t0 = performance.now();
  const target = new URL(`${server.url}/api/messages`);
  const { status, body } = await new Promise<{ status: number; body: string }>((resolve) => {
    const req = http.request({ host: target.hostname, port: target.port, path: target.pathname, method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } }, (res) => {
      let b = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => { b += d; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: b }));
    });
    req.on('error', () => resolve({ status: 0, body: '' }));
    req.end(payload);
  });
  requests++;
  if (status !== 200 || /something went wrong|temporarily unavailable/.test(body)) errors++;
  else latencies.push(performance.now() - t0);
  try { return ((JSON.parse(body) as { activities?: { text?: string }[] }).activities ?? []).map((a) => a.text ?? '').join('\n'); } catch { return ''; }
}

async function codeFor(email: string): Promise<string | undefined> {
  for (let i = 0; i < 100; i++) {
    if (existsSync(outbox)) {
      const lines = (await readFile(outbox, 'utf8')).trim().split('\n');
      for (let j = lines.length - 1; j >= 0; j--) {
        try { const e = JSON.parse(lines[j]!) as { to: string; code: string }; if (e.to === email) return e.code; } catch { /* partial line */ }
      }
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return undefined;
}

const REDACTION_HEAVY = [
  'Hi, I am Jana Krüger, born 3 May 1988, my IBAN is DE89 3704 0044 0532 0130 00 and my card 4111 1111 1111 1111 was declined',
  'my email is maria.garcia@example.es and phone +34 612 345 678, address Calle Mayor 12, 28013 Madrid, help please',
  'Bonjour, je suis Camille Dubois, né le 12 mars 1979, 3 rue de la Paix 75002 Paris, tel 06 12 34 56 78',
];

let customerSeq = 0;
const stopAt = performance.now() + SECONDS * 1000;
const rss: [number, number][] = [];
const started = performance.now();
const sampler = setInterval(() => {
  try {
    const status = readFileSync(`/proc/${server.proc.pid}/status`, 'utf8');
    const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    rss.push([Math.round((performance.now() - started) / 1000), Math.round(kb / 1024)]);
  } catch { /* process gone */ }
}, 5000);

async function worker(w: number): Promise<void> {
  let loop = 0;
  while (performance.now() < stopAt) {
    const conv = `soak-${w}-${loop++}`;
    const user = `u-${conv}`;
    for (const m of REDACTION_HEAVY) await say(conv, user, m);
    const i = customerSeq++ % CUSTOMERS;
    await say(conv, user, 'where is my order?');
    await say(conv, user, `soak${i}@example.com`);
    const code = await codeFor(`soak${i}@example.com`);
    if (code && /verified/.test(await say(conv, user, code))) verifications++;
    const esc = await say(`${conv}-h`, `${user}-h`, 'I want to talk to a human');
    if (/person/.test(esc)) escalations++;
    await say(`${conv}-h`, `${user}-h`, 'cancel');
  }
}

await Promise.all(Array.from({ length: WORKERS }, (_, w) => worker(w)));
clearInterval(sampler);
const elapsed = (performance.now() - started) / 1000;
latencies.sort((a, b) => a - b);
const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? NaN;
const first = rss[0]?.[1] ?? 0; const last = rss[rss.length - 1]?.[1] ?? 0;
const rows: (string | number)[][] = [['seconds', 'requests', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'verifications', 'escalations', 'RSS first/last MiB', 'RSS growth MiB']];
rows.push([elapsed.toFixed(0), requests, (requests / elapsed).toFixed(1), q(0.5).toFixed(1), q(0.99).toFixed(1), errors, verifications, escalations, `${first}/${last}`, last - first]);
process.stdout.write(`\nSoak: ${WORKERS} workers, offered ${RATE} req/s, mixed conversations (redaction-heavy, verification, handoff)\n\n${table(rows)}\n\nRSS over time (s: MiB): ${rss.map(([s, m]) => `${s}:${m}`).join(' ')}\n`);
agent.destroy();
await server.stop();
await redis.stop();
