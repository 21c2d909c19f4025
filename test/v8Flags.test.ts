import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/**
 * Runs a probe in a fresh process with V8's test intrinsics: whether a regular expression run once has interpreter
 * bytecode (V8's default, tier-up) or went straight to machine code.
 */
function probe(importFirst: string | undefined): { bytecode: boolean; native: boolean; matched: boolean } {
  const script = `
    (async () => {
      ${importFirst ? `await import(${JSON.stringify(pathToFileURL(importFirst).href)});` : ''}
      const re = new RegExp('(?:^|[^\\\\p{L}])(?:menu|help)(?:$|[^\\\\p{L}])', 'u');
      const matched = re.test('show me the menu');
      process.stdout.write(JSON.stringify({ bytecode: %RegexpHasBytecode(re, true), native: %RegexpHasNativeCode(re, true), matched }));
    })();`;
  return JSON.parse(execFileSync(process.execPath, ['--allow-natives-syntax', '--import', 'tsx', '-e', script], { cwd: root, encoding: 'utf8' })) as { bytecode: boolean; native: boolean; matched: boolean };
}

describe('v8Flags (process tuning applied before the app loads)', function () {
  this.timeout(30_000);

  it('without it, V8 first interprets a regular expression (the default this module turns off)', () => {
    expect(probe(undefined)).to.deep.equal({ bytecode: true, native: true, matched: true });
  });

  it('with it, a regular expression is compiled straight to machine code and still matches', () => {
    expect(probe(`${root}v8Flags.ts`)).to.deep.equal({ bytecode: false, native: true, matched: true });
  });

  it('is the first import of both entry points, so no pattern runs before it', async () => {
    const { readFile } = await import('node:fs/promises');
    for (const entry of ['index.ts', 'app.ts']) {
      const firstImport = /^import [^\n]*$/m.exec(await readFile(`${root}${entry}`, 'utf8'))?.[0];
      expect(firstImport, entry).to.equal("import './v8Flags.js';");
    }
  });
});
