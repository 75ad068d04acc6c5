import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EmbeddedLedger } from '@edu-ledger/ledger-embedded';
import { createApp } from './app.js';
import { ConfigError, anchorerOptions, loadConfig, rateLimitsOf, type Config } from './config.js';
import { installFatalHandlers, watchPrototypes } from './http/process-handlers.js';
import { inUse, isLocked, openLedger } from './ledger.js';
import { createLogger } from './logger.js';
import { serve } from './http/serve.js';
import { createServices } from './services/index.js';
import { recoverPendingWrites } from './services/recovery.js';
import { reconcileStoresAtStart, StoresDisagreeError } from './services/backup.service.js';
import { WorkerPoolSigner } from './services/signer.js';
import { GatewayDb, StoreFormatError } from './stores/gateway-db.js';
import { MasterKeyError, locateMasterKey, settleMasterKey } from './master-key.js';
import { openKeyCustody } from './stores/key-custody.js';
import { isSeeded, seedDemo } from './seed.js';

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(2);
  }
  const logger = createLogger(config.LOG_LEVEL);
  // Fail fast: a gateway whose state an unexpected error left unknown is restarted, not kept serving.
  installFatalHandlers(logger);
  watchPrototypes(logger);
  // Store files readable by the service user only: folders 0700, LevelDB files and keys 0600.
  process.umask(0o077);
  const dataDir = resolve(config.DATA_DIR);
  // Before any store is opened: whether the folder is empty decides if demo mode may make a key.
  const keySource = locateMasterKey(config, dataDir);
  mkdirSync(dataDir, { recursive: true });
  // The gateway store first: its format marker refuses an old DATA_DIR before a ledger is opened in it.
  const db = await GatewayDb.open(join(dataDir, 'gateway')).catch((error: unknown) => {
    throw isLocked(error) ? inUse(join(dataDir, 'gateway')) : error;
  });
  const { ledger, readerIdentity } = await openLedger(config, dataDir);
  const masterKey = settleMasterKey(keySource, (file) =>
    logger.warn({ file }, 'demo mode: generated a master key; set EDU_MASTER_KEY_FILE in production'),
  );
  // A key that does not match the vault stops the start; an interrupted rotation is settled here.
  const storeKey = await openKeyCustody(db, masterKey);
  const signer = config.SIGNING_WORKERS > 0 ? new WorkerPoolSigner(config.SIGNING_WORKERS) : undefined;
  const services = createServices({
    ledger,
    db,
    signer,
    masterKey: storeKey,
    readerIdentity,
    publicUrl: config.PUBLIC_URL,
    anchorer: anchorerOptions(config),
  });

  // Issuances a kill cut between their signed copy and their anchor are settled against the ledger
  // before anything is served.
  if (config.EDU_MODE !== 'demo') services.tokens.refuseDemoTokens();
  const recovered = await recoverPendingWrites(services);
  if (recovered.unresolved.length > 0) {
    logger.warn({ unresolved: recovered.unresolved }, 'pending issuance left for the ledger to settle');
  }
  // A gateway store older than its ledger (copied alone, or restored alone): the allocator is moved
  // past every used slot; anchors without their signed copy refuse the start (restore both).
  if (ledger instanceof EmbeddedLedger) await reconcileStoresAtStart(ledger, db);

  if (config.EDU_MODE === 'demo' && !(await isSeeded(services))) {
    if (ledger.kind === 'embedded' && ledger instanceof EmbeddedLedger && ledger.blockHeight > 0) {
      throw new ConfigError(
        `DATA_DIR ${dataDir} holds a ledger that was never fully seeded; remove it and start again`,
      );
    }
    await seedDemo(services, { dataDir, didHost: config.DID_WEB_HOST, now: new Date() });
    console.log(`演示联盟已创建 / Demo consortium seeded. API tokens: ${join(dataDir, 'demo-tokens.json')}`);
  }

  const here = dirname(fileURLToPath(import.meta.url));
  const verifierDist = resolve(here, '../../verifier-web/dist');
  const app = createApp({
    services,
    logger,
    publicUrl: config.PUBLIC_URL,
    rateLimits: rateLimitsOf(config),
    staticMounts: existsSync(verifierDist) ? [{ path: '/verify', dir: verifierDist }] : [],
    ...(signer ? { signer } : {}),
    ...(config.METRICS_TOKEN ? { metricsToken: config.METRICS_TOKEN } : {}),
  });
  // Shutdown and TLS: HTTPS when a certificate and key are given.
  const tls =
    config.TLS_CERT_FILE && config.TLS_KEY_FILE
      ? { certFile: config.TLS_CERT_FILE, keyFile: config.TLS_KEY_FILE }
      : undefined;
  const serving = await serve(app, config.PORT, config.HOST, tls).catch((error: unknown) => {
    const taken = error instanceof Error && 'code' in error && error.code === 'EADDRINUSE';
    console.error(
      taken
        ? `端口 ${config.PORT} 已被占用 / Port ${config.PORT} on ${config.HOST} is already in use: stop what uses it or set PORT.`
        : `无法监听 / Cannot listen on ${config.HOST}:${config.PORT}: ${error instanceof Error ? error.message : String(error)}`,
    );
    process.exit(1);
  });
  // Installed before the banner below: a supervisor may signal as soon as it reads it.
  // On SIGTERM: stop accepting, answer what is in flight, let the anchors reach the ledger, then
  // close the stores; whatever is still running when the grace period ends is cut off (exit 1).
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    services.lifecycle.draining = true;
    logger.info({ signal }, 'shutting down');
    setTimeout(() => {
      logger.error({ graceMs: config.SHUTDOWN_GRACE_MS }, 'shutdown grace period over; stopping anyway');
      process.exit(1);
    }, config.SHUTDOWN_GRACE_MS).unref();
    void serving
      .drain()
      .then(() => services.anchorer.idle())
      .then(() => Promise.all([ledger.close(), db.close(), signer?.close()]))
      .then(() => {
        logger.info({ signal }, 'stopped');
        process.exit(0);
      })
      .catch((error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));

  const address = serving.server.address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  const base = `${serving.scheme}://${config.HOST}:${port}`;
  console.log(`网关已启动 / Gateway listening on ${base} (ledger: ${ledger.kind})`);
  console.log(`  API 文档 / OpenAPI:   ${base}/openapi.json`);
  if (existsSync(verifierDist)) console.log(`  验证页面 / Verifier:  ${base}/verify/`);
  console.log(`  数据目录 / Data dir:  ${dataDir}`);
}

main().catch((error: unknown) => {
  const known =
    error instanceof ConfigError ||
    error instanceof StoreFormatError ||
    error instanceof MasterKeyError ||
    error instanceof StoresDisagreeError;
  console.error(known ? error.message : error);
  process.exit(1);
});
