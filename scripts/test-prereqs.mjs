// `npm test` needs a real redis-server and Debian's Chromium. Installs them when missing and running as root
// (CI, fresh machines); otherwise names the packages to install and stops.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const need = [];
const has = (cmd) => { try { execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }); return true; } catch { return false; } };
if (!has('redis-server')) need.push('redis-server');
if (!existsSync('/usr/bin/chromium')) need.push('chromium');
if (need.length === 0) process.exit(0);

const root = typeof process.getuid === 'function' && process.getuid() === 0;
if (!root || !has('apt-get')) {
  process.stderr.write(`trustline tests need the Debian packages: ${need.join(' ')}\n  install them with: sudo apt-get install -y ${need.join(' ')}\n`);
  process.exit(1);
}
process.stdout.write(`installing test prerequisites: ${need.join(' ')} (apt-get)\n`);
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...need], { stdio: 'inherit', env });
