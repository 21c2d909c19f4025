import { runCli } from './trustline.js';

runCli(process.argv).catch(() => {
  process.stderr.write('trustline: the command failed\n');
  process.exit(1);
});
