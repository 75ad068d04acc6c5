/**
 * `edu-admin`: the operator's command line beside the wallet — bootstrap a production consortium,
 * administer organisations, staff access and keys, rotate the master key, back up and restore.
 * Each group of commands lives in its own module under `./admin/` and registers itself here, so
 * the commands stay small and can be read one by one. Messages are in Chinese and English;
 * `--json` gives machine-readable output; exit codes are listed in `./admin/exit-codes.ts`.
 */
import { Command } from 'commander';
import { ADMIN_COMMANDS } from './admin/index.js';
import { EXIT, reportFailure } from './admin/exit-codes.js';

export function adminProgram(): Command {
  const program = new Command('edu-admin')
    .description('教育凭证账本运维工具 / Operator tool of the education credential ledger')
    .option('--json', '机器可读输出 / machine-readable output')
    .showHelpAfterError()
    .exitOverride();
  for (const register of ADMIN_COMMANDS) register(program);
  return program;
}

async function main(argv: string[]): Promise<number> {
  try {
    await adminProgram().parseAsync(argv);
    return EXIT.OK;
  } catch (error) {
    return reportFailure(error, argv.includes('--json'));
  }
}

main(process.argv).then((code) => {
  process.exitCode = code;
});
