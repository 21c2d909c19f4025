/**
 * The bot as a real child process (`node --import tsx index.ts`), as it runs in production: settings only through
 * its environment, and NODE_EXTRA_CA_CERTS (read once at process start) for test CAs. Resolves once the bot logs
 * `app.listening` (with its URL) or exits (a refused start).
 */
import { spawn, type ChildProcess } from 'node:child_process';

export interface BotProcess {
  proc: ChildProcess;
  /** Base URL once listening; undefined when the process exited first. */
  url: string | undefined;
  exitCode: number | null;
  stdout(): string;
  stderr(): string;
  stop(): Promise<number | null>;
}

export async function spawnBot(env: Record<string, string | undefined>, timeoutMs = 45_000): Promise<BotProcess> {
  const clean = Object.fromEntries(Object.entries({ PATH: process.env.PATH, ...env }).filter(([, v]) => v !== undefined)) as NodeJS.ProcessEnv;
  const proc = spawn(process.execPath, ['--import', 'tsx', '--disable-warning=DEP0111', 'index.ts'], { env: clean, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
  proc.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  let exitCode: number | null = null;
  let done = false;
  void exited.then((c) => { exitCode = c; done = true; });
  const until = Date.now() + timeoutMs;
  let url: string | undefined;
  while (!done && Date.now() < until) {
    const line = out.split('\n').find((l) => l.includes('"app.listening"'));
    if (line) { url = String((JSON.parse(line) as { url: string }).url); break; }
    await new Promise((r) => setTimeout(r, 50));
  }
  if (!url && !done) {
    proc.kill('SIGKILL');
    await exited;
    throw new Error(`bot neither listened nor exited in time; stderr: ${err.slice(-500)}`);
  }
  if (done) await exited;
  return {
    proc, url,
    get exitCode() { return exitCode; },
    stdout: () => out,
    stderr: () => err,
    async stop() {
      if (done) return exitCode;
      proc.kill('SIGTERM');
      return exited;
    },
  };
}
