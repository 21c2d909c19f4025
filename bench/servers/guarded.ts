/** The whole Trustline app (every guard it has, encrypted Redis state), as the bot process runs it. */
import { loadConfig } from '../../config.js';
import { createApp } from '../../app.js';
import { Writable } from 'node:stream';

const sink = new Writable({ write(_c, _e, cb) { cb(); } });
const app = await createApp(loadConfig({ ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn' }), { logDestination: sink });
const url = await app.listen();
while (!app.isReady()) await new Promise((r) => setTimeout(r, 50));
process.stdout.write(`LISTENING ${url}\n`);
process.on('SIGTERM', () => { void app.close().then(() => process.exit(0)); });
