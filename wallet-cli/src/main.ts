import { run } from './cli.js';

// The exit code is set rather than forced with process.exit(), so buffered output to a pipe is
// never cut short.
process.exitCode = await run(process.argv);
