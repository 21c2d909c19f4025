/**
 * Starts real `redis-server` processes on free loopback ports (DESIGN.md section 7). One shared server per mocha
 * run (`sharedRedis()`); tests that kill or pause Redis start their own with `startRedis()`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, type RedisClientType } from 'redis';

export interface RedisProcess {
  port: number;
  url: string;
  dir: string;
  proc: ChildProcess;
  stop(): Promise<void>;
  /** A throwaway client that never reconnects (for assertions). */
  client(): Promise<RedisClientType>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

export async function startRedis(extraArgs: string[] = [], opts: { port?: number; dir?: string } = {}): Promise<RedisProcess> {
  const port = opts.port ?? (await freePort());
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'tl-redis-'));
  const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no', ...extraArgs], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout?.on('data', (d: Buffer) => { out += d.toString(); });
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`redis-server did not start: ${out.slice(-500)}`)), 10000);
    const check = () => {
      if (out.includes('Ready to accept connections')) { clearTimeout(t); resolve(); } else if (proc.exitCode !== null) { clearTimeout(t); reject(new Error(`redis-server exited: ${out.slice(-500)}`)); } else setTimeout(check, 20);
    };
    check();
  });
  const url = `redis://127.0.0.1:${port}`;
  const clients: RedisClientType[] = [];
  return {
    port, url, dir, proc,
    async client() {
      const c = createClient({ url, socket: { reconnectStrategy: false } }) as RedisClientType;
      c.on('error', () => undefined);
      await c.connect();
      clients.push(c);
      return c;
    },
    async stop() {
      for (const c of clients) { try { c.destroy(); } catch { /* already closed */ } }
      // A process killed by a signal has exitCode null and signalCode set: it is gone too.
      if (proc.exitCode === null && proc.signalCode === null) {
        const exited = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGKILL');
        await exited;
      }
      if (!opts.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

let shared: Promise<RedisProcess> | undefined;

export function sharedRedis(): Promise<RedisProcess> {
  shared ??= startRedis();
  return shared;
}

export async function stopSharedRedis(): Promise<void> {
  if (shared) {
    const r = await shared;
    shared = undefined;
    await r.stop();
  }
}

/** Every key and its value(s) as text, for privacy scans. */
export async function dumpRedis(c: RedisClientType): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for await (const batch of c.scanIterator({ MATCH: '*', COUNT: 1000 })) {
    for (const k of batch as string[]) {
      const type = await c.type(k);
      let v = '';
      if (type === 'string') v = (await c.get(k)) ?? '';
      else if (type === 'hash') v = JSON.stringify(await c.hGetAll(k));
      else if (type === 'list') v = JSON.stringify(await c.lRange(k, 0, -1));
      else if (type === 'set') v = JSON.stringify(await c.sMembers(k));
      else if (type === 'zset') v = JSON.stringify(await c.zRange(k, 0, -1));
      else if (type === 'stream') v = JSON.stringify(await c.xRange(k, '-', '+'));
      out.set(k, v);
    }
  }
  return out;
}
