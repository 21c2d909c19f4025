/**
 * The whole Trustline app (every guard it has, encrypted Redis state), as `npm start` runs it: the compiled build in
 * dist/ under plain node, not the TypeScript sources through tsx (whose transform adds work to every closure).
 */
import { Writable } from 'node:stream';
import { loadConfig } from '../../dist/config.js';
import { createApp } from '../../dist/app.js';

const sink = new Writable({ write(_c, _e, cb) { cb(); } });
const app = await createApp(loadConfig({ ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn' }), { logDestination: sink });
const url = await app.listen();
while (!app.isReady()) await new Promise((r) => setTimeout(r, 50));
process.stdout.write(`LISTENING ${url}\n`);
process.on('SIGTERM', () => { void app.close().then(() => process.exit(0)); });
