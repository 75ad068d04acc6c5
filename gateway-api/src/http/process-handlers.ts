import { errorSummary, type Logger } from '../logger.js';

/**
 * What an unexpected error may tell the log: its class, its `code` and where it was thrown. The
 * message is left out, because it may quote a request (a name, an id number).
 */
/**
 * Makes an uncaught exception or an unhandled rejection fatal: it is logged (without its message)
 * and the process exits with 1, so a supervisor restarts a gateway whose state is unknown rather
 * than let it serve on. Libraries that install handlers which log and carry on
 * (fabric-contract-api's loggers) are taken off when this is installed.
 *
 * @param exit - ends the process; tests pass a fake.
 */
export function installFatalHandlers(
  logger: Logger,
  exit: (code: number) => void = (code) => process.exit(code),
): void {
  process.removeAllListeners('uncaughtException');
  process.removeAllListeners('unhandledRejection');
  let exiting = false;
  const fatal =
    (kind: 'uncaughtException' | 'unhandledRejection') =>
    (error: unknown): void => {
      if (exiting) return;
      exiting = true;
      logger.fatal({ kind, ...errorSummary(error) }, `${kind}: exiting`);
      logger.flush();
      exit(1);
    };
  process.on('uncaughtException', fatal('uncaughtException'));
  process.on('unhandledRejection', fatal('unhandledRejection'));
}

/**
 * Checks now and then that nothing has added enumerable properties to Object.prototype or
 * Array.prototype (what a prototype-pollution attack does). Freezing them instead is not possible:
 * `long` (under fabric-shim, protobufjs and grpc-js) assigns `toString` on objects that inherit
 * from Object.prototype, which throws once that is frozen. A polluted process cannot be trusted
 * to verify anything, so it is logged and ended for its supervisor to restart.
 *
 * @returns a function that stops the checks.
 */
export function watchPrototypes(
  logger: Logger,
  intervalMs = 1000,
  exit: (code: number) => void = (code) => process.exit(code),
): () => void {
  const timer = setInterval(() => {
    const polluted = [Object.prototype, Array.prototype].some((proto) => Object.keys(proto).length > 0);
    if (!polluted) return;
    clearInterval(timer);
    logger.fatal({ kind: 'prototypePollution' }, 'Object.prototype or Array.prototype was modified: exiting');
    logger.flush();
    exit(1);
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
