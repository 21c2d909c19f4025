/** Runs the `trustline` command (bin/trustline.js) as its own process with only PATH and the given settings. */
import { spawn } from 'node:child_process';

export interface CliResult { code: number | null; stdout: string; stderr: string }

export function cli(args: string[], env: Record<string, string | undefined> = {}, stdin = ''): Promise<CliResult> {
  return new Promise((resolve) => {
    const clean = Object.fromEntries(Object.entries({ PATH: process.env.PATH, ...env }).filter(([, v]) => v !== undefined)) as NodeJS.ProcessEnv;
    const p = spawn(process.execPath, ['bin/trustline.js', ...args], { env: clean, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = ''; let stderr = '';
    p.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    p.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    p.on('exit', (code) => resolve({ code, stdout, stderr }));
    p.stdin.end(stdin);
  });
}
