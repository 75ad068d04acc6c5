import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EmbeddedLedger } from '@edu-ledger/ledger-embedded';
import { createApp } from './app.js';
import { ConfigError, loadConfig, rateLimitsOf, type Config } from './config.js';
import { installFatalHandlers, watchPrototypes } from './http/process-handlers.js';
import { inUse, isLocked, openLedger } from './ledger.js';
import { createLogger } from './logger.js';
import { createServices } from './services/index.js';
import { recoverPendingWrites } from './services/recovery.js';
import { WorkerPoolSigner } from './services/signer.js';
import { GatewayDb, StoreFormatError } from './stores/gateway-db.js';
import { loadMasterKey } from './master-key.js';
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
  const dataDir = resolve(config.DATA_DIR);
  mkdirSync(dataDir, { recursive: true });
  // The gateway store first: its format marker refuses an old DATA_DIR before a ledger is opened in it.
  const db = await GatewayDb.open(join(dataDir, 'gateway')).catch((error: unknown) => {
    throw isLocked(error) ? inUse(join(dataDir, 'gateway')) : error;
  });
  const { ledger, readerIdentity } = await openLedger(config, dataDir);
  const signer = config.SIGNING_WORKERS > 0 ? new WorkerPoolSigner(config.SIGNING_WORKERS) : undefined;
  const services = createServices({
    ledger,
    db,
    signer,
    masterKey: loadMasterKey(config.EDU_MASTER_KEY, dataDir, (file) =>
      logger.warn({ file }, 'demo mode: generated a master key; set EDU_MASTER_KEY in production'),
    ),
    readerIdentity,
    publicUrl: config.PUBLIC_URL,
  });

  // Issuances a kill cut between their signed copy and their anchor are settled against the ledger
  // before anything is served.
  const recovered = await recoverPendingWrites(services);
  if (recovered.unresolved.length > 0) {
    logger.warn({ unresolved: recovered.unresolved }, 'pending issuance left for the ledger to settle');
  }

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
  });
  // Express 5 hands a failed listen (a port in use) to this callback instead of throwing.
  const server = app.listen(config.PORT, config.HOST, (error?: Error) => {
    if (error) {
      const taken = 'code' in error && error.code === 'EADDRINUSE';
      console.error(
        taken
          ? `端口 ${config.PORT} 已被占用 / Port ${config.PORT} on ${config.HOST} is already in use: stop what uses it or set PORT.`
          : `无法监听 / Cannot listen on ${config.HOST}:${config.PORT}: ${error.message}`,
      );
      process.exit(1);
    }
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.PORT;
    console.log(`网关已启动 / Gateway listening on http://${config.HOST}:${port} (ledger: ${ledger.kind})`);
    console.log(`  API 文档 / OpenAPI:   http://${config.HOST}:${port}/openapi.json`);
    if (existsSync(verifierDist))
      console.log(`  验证页面 / Verifier:  http://${config.HOST}:${port}/verify/`);
    console.log(`  数据目录 / Data dir:  ${dataDir}`);
  });

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    server.close(() => {
      void Promise.all([ledger.close(), db.close(), signer?.close()]).finally(() => process.exit(0));
    });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError || error instanceof StoreFormatError ? error.message : error);
  process.exit(1);
});
