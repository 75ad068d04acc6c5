import { Command, CommanderError, Option } from 'commander';
import type { Context, GrantOptions, PresentOptions, ShareOptions } from './commands.js';
import { ERROR_NAMES, EXIT, OutputError, WalletError, type ExitCode, type Output } from './errors.js';
import { DEFAULT_GATEWAY, GatewayClient } from './gateway.js';
import { detectLang, translator, type Lang, type Translate } from './i18n.js';
import { walletHome, WalletStore } from './wallet.js';

interface GlobalOptions {
  json?: boolean;
  lang?: string;
  gateway?: string;
}

/** Where a run's text goes; tests can capture it, the binary uses the process streams. */
export interface Streams {
  out: (text: string) => void;
  err: (text: string) => void;
}

/** The commands, loaded only once a command runs: `--help` and usage errors stay instant. */
const commands = () => import('./commands.js');

const processStreams: Streams = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

function print(streams: Streams, json: boolean, output: Output): void {
  if (json) streams.out(`${JSON.stringify(output.json, null, 2)}\n`);
  else if (output.text !== '') streams.out(`${output.text}\n`);
}

function printError(streams: Streams, json: boolean, code: ExitCode, message: string): void {
  if (json) {
    streams.err(`${JSON.stringify({ error: { code: ERROR_NAMES[code], exitCode: code, message } })}\n`);
  } else {
    streams.err(`edu-wallet: ${message}\n`);
  }
}

/**
 * Runs edu-wallet with `argv` (as in process.argv: node, script, then arguments) and resolves to
 * the exit code. Every failure a person can cause ends as a bilingual message and a documented
 * exit code; anything else is reported as an internal error (exit 70) without a stack trace
 * unless EDU_WALLET_DEBUG is set.
 */
export async function run(argv: readonly string[], streams: Streams = processStreams): Promise<number> {
  const lang: Lang = detectLang(argv.slice(2));
  const t: Translate = translator(lang);
  let exitCode: number = EXIT.OK;
  let jsonMode = argv.includes('--json');

  const program = new Command('edu-wallet')
    .description(t('descProgram'))
    .option('--json', t('optJson'))
    .addOption(new Option('--lang <lang>', t('optLang')).choices(['zh', 'en']))
    .option('--gateway <url>', t('optGateway', { url: DEFAULT_GATEWAY }))
    .addHelpText('after', `\n${t('exitCodes')}`)
    .configureHelp({ showGlobalOptions: true })
    .configureOutput({ writeOut: streams.out, writeErr: streams.err })
    .exitOverride()
    .showHelpAfterError();

  /** Wraps a command body: builds the context from the options, prints the result. */
  const action =
    <A extends unknown[]>(work: (ctx: Context, ...args: A) => Promise<Output>) =>
    async (...args: unknown[]): Promise<void> => {
      const command = args[args.length - 1] as Command;
      const globals = command.optsWithGlobals<GlobalOptions>();
      jsonMode = globals.json === true;
      const gatewayUrl = globals.gateway ?? process.env.EDU_GATEWAY_URL ?? DEFAULT_GATEWAY;
      const ctx: Context = {
        lang,
        t,
        json: jsonMode,
        store: new WalletStore(walletHome()),
        gateway: new GatewayClient(gatewayUrl),
      };
      print(streams, jsonMode, await work(ctx, ...(args.slice(0, -1) as A)));
    };

  program
    .command('init')
    .description(t('descInit'))
    .action(action(async (ctx) => (await commands()).init(ctx)));
  program
    .command('restore')
    .description(t('descRestore'))
    .option('--mnemonic <words>', t('optMnemonic'))
    .action(
      action(async (ctx, opts: { mnemonic?: string }) => (await commands()).restore(ctx, opts.mnemonic)),
    );
  program
    .command('did')
    .description(t('descDid'))
    .action(action(async (ctx) => (await commands()).showDid(ctx)));
  program
    .command('receive')
    .description(t('descReceive'))
    .argument('<offer-url>')
    .action(action(async (ctx, url: string) => (await commands()).receive(ctx, url)));
  program
    .command('add-credential')
    .description(t('descAddCredential'))
    .argument('<file>')
    .action(action(async (ctx, file: string) => (await commands()).addCredential(ctx, file)));
  program
    .command('grant')
    .description(t('descGrant'))
    .requiredOption('--to <orgId>', t('optGrantTo'))
    .requiredOption('--dimensions <ids>', t('optGrantDimensions'))
    .option('--days <n>', t('optGrantDays'), '30')
    .option('--id <consentId>', t('optGrantId'))
    .action(action(async (ctx, opts: GrantOptions) => (await commands()).grant(ctx, opts)));
  program
    .command('revoke-grant')
    .description(t('descRevokeGrant'))
    .argument('<consentId>')
    .action(action(async (ctx, id: string) => (await commands()).revokeGrant(ctx, id)));
  program
    .command('list')
    .description(t('descList'))
    .action(action(async (ctx) => (await commands()).list(ctx)));
  program
    .command('show')
    .description(t('descShow'))
    .argument('<id>')
    .action(action(async (ctx, id: string) => (await commands()).show(ctx, id)));
  program
    .command('verify')
    .description(t('descVerify'))
    .argument('<id>')
    .option('--offline', t('optOffline'))
    .action(
      action(async (ctx, id: string, opts: { offline?: boolean }) =>
        (await commands()).verify(ctx, id, opts.offline === true),
      ),
    );
  program
    .command('present')
    .description(t('descPresent'))
    .argument('[id...]')
    .option('--request <link-or-png>', t('optRequest'))
    .option('--challenge <challenge>', t('optChallenge'))
    .option('--domain <domain>', t('optDomain'))
    .addOption(new Option('--format <format>', t('optFormat')).choices(['ldp', 'jwt']).default('ldp'))
    .option('--out <file>', t('optOut'))
    .option('--qr', t('optQr'))
    .option('--qr-png <file>', t('optQrPng'))
    .option('--to <url>', t('optTo'))
    .option('--disclose <dimensions>', t('optDisclose'))
    .option('--force', t('optForce'))
    .option('--allow-revoked', t('optAllowRevoked'))
    .action(
      action(async (ctx, ids: string[], opts: PresentOptions) => (await commands()).present(ctx, ids, opts)),
    );
  program
    .command('share')
    .description(t('descShare'))
    .argument('<id>')
    .option('--no-upload', t('optNoUpload'))
    .action(action(async (ctx, id: string, opts: ShareOptions) => (await commands()).share(ctx, id, opts)));
  program
    .command('export')
    .description(t('descExport'))
    .requiredOption('--out <file>', t('optOut'))
    .option('--force', t('optForce'))
    .action(
      action(async (ctx, opts: { out: string; force?: boolean }) =>
        (await commands()).exportBackup(ctx, opts.out, opts.force),
      ),
    );
  program
    .command('import')
    .description(t('descImport'))
    .argument('<file>')
    .action(action(async (ctx, file: string) => (await commands()).importBackup(ctx, file)));

  try {
    await program.parseAsync([...argv]);
  } catch (error) {
    exitCode = handleError(error, streams, jsonMode, t);
  }
  return exitCode;
}

function handleError(error: unknown, streams: Streams, json: boolean, t: Translate): number {
  if (error instanceof CommanderError) {
    // Commander has already printed its message (or the help); help and --version are not failures.
    return error.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
  }
  if (error instanceof OutputError) {
    print(streams, json, error.output);
    return error.exitCode;
  }
  if (error instanceof WalletError) {
    printError(streams, json, error.exitCode, t(error.key, error.params));
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  printError(streams, json, EXIT.USAGE, t('internal', { message }));
  if (process.env.EDU_WALLET_DEBUG) streams.err(`${error instanceof Error ? error.stack : ''}\n`);
  return 70;
}
