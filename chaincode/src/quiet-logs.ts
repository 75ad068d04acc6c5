import { snapshotProcessHandlers } from './process-handlers.js';

// fabric-contract-api logs every decorator at info level when loaded. The peer sets this variable
// for real chaincode; in-process we default it to errors only, before the library is first loaded.
process.env.CORE_CHAINCODE_LOGGING_LEVEL ??= 'ERROR';

/** Called by fabric.ts once fabric-contract-api is loaded (see process-handlers.ts for why). */
export const restoreProcessHandlers = snapshotProcessHandlers();
