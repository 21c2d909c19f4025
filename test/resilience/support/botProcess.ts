/** The bot as its own OS process (`node --import tsx index.ts`), stdout tee'd into a log file, stderr captured. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';

export interface BotProcess {
  url: string;
  proc: ChildProcess;
  logFile: string;
  stdout(): string;
  stderr(): string;
  /** The log file as written by the tee (what a log shipper would read). */
  logFileText(): string;
  stop(): Promise<void>;
}

export async function spawnBot(env: Record<string, string | undefined>, port: number, logFile: string): Promise<BotProcess> {
  const proc = spawn(process.execPath, ['--import', 'tsx', '--disable-warning=DEP0111', 'index.ts'], {
    env: { PATH: process.env.PATH, ...env, PORT: String(port) } as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const file = createWriteStream(logFile, { flags: 'a', mode: 0o600 });
  let out = '';
  let err = '';
  proc.stdout!.on('data', (d: Buffer) => { out += d.toString('utf8'); file.write(d); });
  proc.stderr!.on('data', (d: Buffer) => { err += d.toString('utf8'); });
  const url = `http://127.0.0.1:${port}`;
  const until = Date.now() + 60_000;
  for (;;) {
    try { if ((await fetch(`${url}/readyz`)).status === 200) break; } catch { /* not yet */ }
    if (proc.exitCode !== null || Date.now() > until) {
      if (proc.exitCode === null) proc.kill('SIGKILL');
      throw new Error(`bot did not start: ${err.slice(-800)} ${out.slice(-800)}`);
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  return {
    url, proc, logFile,
    stdout: () => out,
    stderr: () => err,
    logFileText: () => readFileSync(logFile, 'utf8'),
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) {
        const exited = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGTERM');
        const t = setTimeout(() => proc.kill('SIGKILL'), 15_000);
        await exited;
        clearTimeout(t);
      }
      await new Promise<void>((r) => file.end(() => r()));
    },
  };
}
