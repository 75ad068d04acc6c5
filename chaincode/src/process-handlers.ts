/**
 * fabric-contract-api's and fabric-shim's loggers each add, when first loaded, an
 * `uncaughtException` handler that logs and carries on (winston with `exitOnError: false`) and an
 * `unhandledRejection` handler that only logs. A process that merely hosts the contracts (the
 * gateway with its embedded ledger, a test run) should keep Node's fail-fast default, so loading
 * them is bracketed by a snapshot of the handlers and a restore.
 *
 * @returns a function that removes every such handler added since the snapshot.
 */
export function snapshotProcessHandlers(): () => void {
  const uncaught = process.listeners('uncaughtException');
  const rejection = process.listeners('unhandledRejection');
  return () => {
    for (const listener of process.listeners('uncaughtException')) {
      if (!uncaught.includes(listener)) process.removeListener('uncaughtException', listener);
    }
    for (const listener of process.listeners('unhandledRejection')) {
      if (!rejection.includes(listener)) process.removeListener('unhandledRejection', listener);
    }
  };
}
