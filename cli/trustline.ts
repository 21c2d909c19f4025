/**
 * `trustline` operator command. Each subcommand loads the same validated configuration as the bot; output never
 * contains key bytes except `keys new`, whose whole purpose is to print a fresh key for the operator.
 */
import { Command } from 'commander';
import { loadConfig, newKeyText, ConfigError, type LoadedConfig } from '../config.js';
import { resolveKeys } from '../guards/crypto/keyProviders.js';
import { KeysCommandError, runKeysRotate, withKeyService } from './commands/keys.js';
import { runRedact } from './commands/redact.js';
import { runDsrList, DsrCommandError } from './commands/dsr.js';
import { runStaffAdd, runStaffDisable, StaffCommandError } from './commands/staff.js';
import { registerAuditCommands } from './commands/audit.js';
import { registerIncidentCommands } from './commands/incident.js';

function fail(message: string, code = 2): never {
  process.stderr.write(`trustline: ${message}\n`);
  process.exit(code);
}

/** The configuration with its keys (Key Vault: fetched once, by the preAction hook, before any command runs). */
let resolved: LoadedConfig | undefined;

function config(): LoadedConfig {
  if (resolved) return resolved;
  let loaded: LoadedConfig;
  try {
    loaded = loadConfig();
  } catch (err) {
    fail(err instanceof ConfigError ? err.message : 'configuration could not be loaded');
  }
  if (loaded.pendingKeyVault) fail('configuration: the keys were not loaded from Key Vault');
  return (resolved = loaded);
}

async function resolveConfig(): Promise<void> {
  try {
    resolved = await resolveKeys(loadConfig());
  } catch (err) {
    fail(err instanceof ConfigError ? err.message : 'configuration could not be loaded');
  }
}

const keysAction = <T>(fn: () => Promise<T>): Promise<T> => fn().catch((err: unknown) => {
  if (err instanceof KeysCommandError) fail(err.message, err.exitCode);
  fail('the keys command failed', 1);
});

export function buildCli(): Command {
  const program = new Command('trustline').description('Trustline operator commands').showHelpAfterError();
  resolved = undefined;
  // Commands that need no configuration (and so no keys); every other one gets its keys before it runs.
  const configFree = new Set<Command>();
  program.hook('preAction', async (_program, action) => { if (!configFree.has(action)) await resolveConfig(); });
  const keys = program.command('keys').description('master and data key management');

  configFree.add(keys.command('new').description('print a fresh 32-byte key (base64) to add as a new master key version or purpose key')
    .action(() => { process.stdout.write(`${newKeyText()}\n`); }));

  keys.command('status').description('master key versions and how many data keys each wraps (never key bytes)')
    .option('--json', 'machine-readable output')
    .action(async (o: { json?: boolean }) => {
      const s = await keysAction(() => withKeyService(config(), (k) => k.status()));
      if (o.json) process.stdout.write(`${JSON.stringify(s)}\n`);
      else {
        process.stdout.write(`active master key version: ${s.active}\nconfigured versions: ${s.configured.join(', ')}\ndata keys: ${s.total}\n`);
        for (const [v, n] of Object.entries(s.byMasterVersion)) process.stdout.write(`  wrapped by ${v}: ${n}${s.configured.includes(v) ? '' : '  (version NOT configured: these keys cannot be opened)'}\n`);
      }
    });

  keys.command('rotate').description('re-wrap every data key under the active master version (safe to rerun after an interruption); audited')
    .option('--actor <id>', 'who runs it, for the audit log (a staff id or login name; default os:<login name>)')
    .action(async (o: { actor?: string }) => {
      const r = await keysAction(() => runKeysRotate(config(), o.actor !== undefined ? { actor: o.actor } : {}));
      process.stdout.write(`rotation: ${r.rewrapped} re-wrapped, ${r.alreadyCurrent} already current, ${r.failed} failed (${r.from.join(', ') || 'nothing'} -> ${r.to})\n`);
      if (r.audit === 'failed') process.stderr.write('trustline: the rotation ran but its end could not be written to the audit log\n');
      if (r.audit === 'unavailable') process.stderr.write('trustline: not audited: no REDIS_URL (development only)\n');
      if (r.failed > 0 || r.audit === 'failed') process.exitCode = 1;
    });

  configFree.add(program.command('redact').description('redact JSON Lines {"id","locale","text"} (or plain text with --text) from stdin to stdout, streaming')
    .option('--locale <locale>', 'locale for lines without one (en-US, en-GB, de-DE, fr-FR, es-ES)', 'en-US')
    .option('--text', 'plain-text mode: one message per line')
    .action(async (o: { locale: string; text?: boolean }) => {
      await runRedact({ locale: o.locale, text: Boolean(o.text) }, process.stdin, process.stdout);
    }));

  const staff = program.command('staff').description('staff accounts of the agent console');
  const staffAction = (fn: () => Promise<void>) => fn().catch((err: unknown) => {
    if (err instanceof StaffCommandError) fail(err.message, err.exitCode);
    fail('the staff command failed', 1);
  });
  staff.command('add').description('create an account; prints its initial password and TOTP enrolment URI once')
    .requiredOption('--email <email>', 'work e-mail address (stored only as a keyed hash)')
    .requiredOption('--role <role...>', 'agent, supervisor, compliance, admin (repeat or comma-separate)')
    .option('--password-stdin', 'read the initial password from stdin instead of generating one')
    .action(async (o: { email: string; role: string[]; passwordStdin?: boolean }) => staffAction(async () => {
      let password: string | undefined;
      if (o.passwordStdin) {
        const chunks: Buffer[] = [];
        for await (const c of process.stdin) chunks.push(c as Buffer);
        password = Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
      }
      await runStaffAdd(config(), { email: o.email, roles: o.role, ...(password !== undefined ? { password } : {}) }, process.stdout);
    }));
  staff.command('disable').description('disable an account and end all its sessions at once')
    .requiredOption('--id <id>', 'account id (st_...)')
    .action(async (o: { id: string }) => staffAction(() => runStaffDisable(config(), { id: o.id }, process.stdout)));

  // Compliance (issue 7): tamper-evident audit log and breach response (the CLI only proposes four-eyes actions).
  registerAuditCommands(program, config, fail);
  registerIncidentCommands(program, config, fail);

  const dsr = program.command('dsr').description('data-subject requests (PII-free request ledger)');
  dsr.command('list').description('every request with receipt, type, dates, deadline flag and outcome, oldest first')
    .option('--json', 'JSON Lines output')
    .option('--since <date>', 'only requests received since this date (YYYY-MM-DD)')
    .option('--open', 'only requests not finished yet')
    .action(async (o: { json?: boolean; since?: string; open?: boolean }) => {
      await runDsrList(config(), o, process.stdout).catch((err: unknown) => fail(err instanceof DsrCommandError ? err.message : 'the dsr command failed', err instanceof DsrCommandError ? err.exitCode : 1));
    });

  return program;
}

export async function runCli(argv: string[]): Promise<void> {
  await buildCli().parseAsync(argv);
}
