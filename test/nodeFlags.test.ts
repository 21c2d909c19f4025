import { expect } from 'chai';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { NODE_FLAGS } from '../bench/support.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const startScript = (JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { scripts: { start: string } }).scripts.start;

/** A fresh node with V8's test intrinsics: does a regular expression run once have interpreter bytecode? */
function probe(flags: string[]): { bytecode: boolean; native: boolean; matched: boolean } {
  const script = `
    const re = new RegExp('(?:^|[^\\\\p{L}])(?:menu|help)(?:$|[^\\\\p{L}])', 'u');
    const matched = re.test('show me the menu');
    process.stdout.write(JSON.stringify({ bytecode: %RegexpHasBytecode(re, true), native: %RegexpHasNativeCode(re, true), matched }));`;
  return JSON.parse(execFileSync(process.execPath, ['--allow-natives-syntax', ...flags, '-e', script], { encoding: 'utf8' })) as { bytecode: boolean; native: boolean; matched: boolean };
}

describe('node flags of the bot process (deployment/README.md, "Process flags")', function () {
  this.timeout(30_000);

  it('--no-regexp-tier-up compiles a regular expression straight to machine code (V8 interprets it first by default)', () => {
    expect(probe([])).to.deep.equal({ bytecode: true, native: true, matched: true });
    expect(probe(['--no-regexp-tier-up'])).to.deep.equal({ bytecode: false, native: true, matched: true });
  });

  it('npm start and the container image pass the same flags, and the bench runs both servers with them', () => {
    const fromStart = /\bnode ((?:--\S+ )+)dist\/index\.js/.exec(startScript)?.[1]?.trim().split(' ');
    expect(fromStart).to.include('--no-regexp-tier-up');
    const cmd = /^CMD (\[.*\])$/m.exec(readFileSync(`${root}deployment/Dockerfile`, 'utf8'))?.[1];
    expect(JSON.parse(cmd ?? '[]')).to.deep.equal(['node', ...fromStart!, 'dist/index.js']);
    expect([...NODE_FLAGS]).to.deep.equal(fromStart);
  });

  it('is never set from inside the process (v8.setFlagsFromString after start crashed V8 at random)', () => {
    // git grep exits 1 when nothing matches.
    const r = spawnSync('git', ['grep', '-l', 'setFlagsFromString', '--', '*.ts', '*.mjs', ':!test/**'], { cwd: root, encoding: 'utf8' });
    expect(r.stdout.trim(), 'files calling setFlagsFromString').to.equal('');
    expect(r.status).to.equal(1);
  });
});
