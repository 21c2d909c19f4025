/**
 * A production-shaped redis-server for tests: the shipped deployment/redis config file (TLS only, ACL file, AOF
 * everysec) with paths overridden on the command line, a throwaway CA and server certificate made with openssl at
 * test time, and the ACL template rendered by the shipped script with random passwords.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, type RedisClientType } from 'redis';
import { freePort } from '../../support/redis.js';

export interface TestCa { dir: string; caFile: string; certFile: string; keyFile: string; ca: string }

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** A CA and a server certificate for 127.0.0.1/localhost (EC P-256, valid one day). */
export function makeTestCa(name = 'trustline-test'): TestCa {
  const dir = mkdtempSync(join(tmpdir(), 'tl-ca-'));
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '1', '-subj', `/CN=${name}-ca`], dir);
  openssl(['req', ...ec, '-keyout', 'redis.key', '-out', 'redis.csr', '-subj', '/CN=localhost'], dir);
  writeFileSync(join(dir, 'ext.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth,clientAuth\n');
  openssl(['x509', '-req', '-in', 'redis.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'redis.crt', '-days', '1', '-extfile', 'ext.cnf'], dir);
  return { dir, caFile: join(dir, 'ca.crt'), certFile: join(dir, 'redis.crt'), keyFile: join(dir, 'redis.key'), ca: readFileSync(join(dir, 'ca.crt'), 'utf8') };
}

export interface TlsRedis {
  port: number;
  url: string;
  dir: string;
  ca: TestCa;
  passwords: Record<string, string>;
  proc: ChildProcess;
  /** A throwaway client as `user` (never reconnects). */
  client(user: string, password: string, opts?: { ca?: string }): Promise<RedisClientType>;
  stop(): Promise<void>;
}

export async function startTlsRedis(kind: 'data' | 'keystore' = 'data', shared?: { ca: TestCa; passwords: Record<string, string> }): Promise<TlsRedis> {
  const ca = shared?.ca ?? makeTestCa();
  const dir = mkdtempSync(join(tmpdir(), 'tl-redis-tls-'));
  const passwords: Record<string, string> = shared?.passwords ?? {
    TRUSTLINE_REDIS_PASSWORD: randomBytes(18).toString('base64url'),
    TRUSTLINE_KEYSTORE_REDIS_PASSWORD: randomBytes(18).toString('base64url'),
    TRUSTLINE_REDIS_OPS_PASSWORD: randomBytes(18).toString('base64url'),
  };
  const acl = join(dir, 'users.acl');
  execFileSync(process.execPath, ['scripts/redis-acl.mjs', `deployment/redis/users-${kind}.acl.template`, acl], { env: { PATH: process.env.PATH, ...passwords } });
  const port = await freePort();
  // The shipped file, verbatim except `dir` (Redis changes into it while parsing, before command-line overrides).
  const conf = join(dir, 'redis.conf');
  writeFileSync(conf, readFileSync(`deployment/redis/redis-${kind}.conf`, 'utf8').replace(/^dir .*$/m, `dir ${dir}`));
  const proc = spawn('redis-server', [
    conf,
    '--tls-port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--aclfile', acl, '--daemonize', 'no',
    '--tls-cert-file', ca.certFile, '--tls-key-file', ca.keyFile, '--tls-ca-cert-file', ca.caFile,
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout?.on('data', (d: Buffer) => { out += d.toString(); });
  proc.stderr?.on('data', (d: Buffer) => { out += d.toString(); });
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`redis-server (TLS) did not start: ${out.slice(-800)}`)), 10000);
    const check = () => {
      if (out.includes('Ready to accept connections')) { clearTimeout(t); resolve(); } else if (proc.exitCode !== null) { clearTimeout(t); reject(new Error(`redis-server (TLS) exited: ${out.slice(-800)}`)); } else setTimeout(check, 20);
    };
    check();
  });
  const url = `rediss://127.0.0.1:${port}`;
  const clients: RedisClientType[] = [];
  return {
    port, url, dir, ca, passwords, proc,
    async client(user, password, opts = {}) {
      const c = createClient({ url, username: user, password, disableClientInfo: true, socket: { tls: true, ca: opts.ca ?? ca.ca, reconnectStrategy: false, connectTimeout: 3000 } }) as RedisClientType;
      c.on('error', () => undefined);
      clients.push(c);
      await c.connect();
      return c;
    },
    async stop() {
      for (const c of clients) { try { c.destroy(); } catch { /* closed */ } }
      if (proc.exitCode === null) {
        const exited = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGKILL');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
      if (!shared) rmSync(ca.dir, { recursive: true, force: true });
    },
  };
}
