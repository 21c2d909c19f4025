import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';

/**
 * The guarded server runs the compiled build (dist/), as `npm start` does: build it first when a source is newer
 * (the same check `npm start` makes). Measuring the TypeScript sources through tsx instead was 10-18 % slower per
 * turn than what ships (its transform names every closure at creation).
 */
export function ensureBuilt(): void {
  execFileSync(process.execPath, ['scripts/build-if-needed.mjs'], { stdio: ['ignore', 'inherit', 'inherit'] });
}
/**
 * The node flags `npm start` runs the bot with, read from package.json so the bench cannot drift from what ships.
 * Both servers get them (the bare bot included), so a flag never favours one side.
 */
export const NODE_FLAGS: readonly string[] = (() => {
  const start = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { scripts: { start: string } }).scripts.start;
  const m = /\bnode ((?:--\S+ )+)dist\/index\.js/.exec(start);
  if (!m) throw new Error('bench: the start script does not read "node <flags> dist/index.js"');
  return m[1]!.trim().split(' ');
})();
export const GUARDED_SERVER = 'bench/servers/guarded.mjs';
export const BARE_SERVER = 'bench/servers/bare.mjs';

export interface Child { url: string; proc: ChildProcess; stop(): Promise<void>; cpuMicros(): Promise<number> }

/** Starts a server script in its own process (so the load generator never shares its event loop). */
export function startChild(script: string, env: Record<string, string> = {}): Promise<Child> {
  return new Promise((resolve, reject) => {
    // JavaScript servers run under plain node with `npm start`'s flags; TypeScript ones through tsx.
    const args = script.endsWith('.mjs') ? [...NODE_FLAGS, script] : ['--import', 'tsx', '--disable-warning=DEP0111', script];
    const proc = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    const t = setTimeout(() => reject(new Error(`${script} did not start`)), 60000);
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /LISTENING (\S+)/.exec(out);
      if (m) {
        clearTimeout(t);
        resolve({
          url: m[1]!, proc,
          stop: async () => { if (proc.exitCode === null && proc.signalCode === null) { const e = new Promise((r) => proc.once('exit', r)); proc.kill('SIGKILL'); await e; } },
          cpuMicros: async () => cpuOf(proc.pid!),
        });
      }
    });
    proc.on('exit', (code) => { clearTimeout(t); if (!/LISTENING/.test(out)) reject(new Error(`${script} exited ${code}`)); });
  });
}

/** utime + stime of a process in microseconds, from /proc (Linux). */
export async function cpuOf(pid: number): Promise<number> {
  const { readFile } = await import('node:fs/promises');
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1e6) / 100;
}

export function table(rows: (string | number)[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  return rows.map((r) => r.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]!) : String(c).padStart(widths[i]!))).join('  ')).join('\n');
}
