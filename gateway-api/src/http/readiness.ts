import { z } from 'zod';
import { EmbeddedLedger } from '@edu-ledger/ledger-embedded';
import { defineRoute, type RouteSpec } from './route.js';
import type { Services } from '../services/index.js';

const CheckOutcome = z.enum(['ok', 'failed', 'not-checked']);

const Readiness = z.object({
  status: z.enum(['ready', 'not-ready']),
  checks: z.object({
    ledger: CheckOutcome,
    vault: CheckOutcome,
    integrity: CheckOutcome,
    /** `failed` once a graceful stop began: finish what is in flight, send nothing new here. */
    accepting: CheckOutcome,
  }),
});
type Readiness = z.infer<typeof Readiness>;
type Outcome = z.infer<typeof CheckOutcome>;

/** A key no one writes: reading it proves the gateway store answers, and reads nothing personal. */
const PROBE_KEY = 'readiness-probe';

async function outcomeOf(check: () => Promise<boolean>): Promise<Outcome> {
  try {
    return (await check()) ? 'ok' : 'failed';
  } catch {
    return 'failed';
  }
}

/**
 * What /ready checks: the ledger answers a query; the gateway store (vault, credentials) answers; and the
 * embedded ledger's signed head still matches its chain (the cheap part of the start-up integrity
 * check, which must have passed for the gateway to be running at all). Fabric peers check their
 * own chain, so integrity is `not-checked` there.
 */
export async function readiness(services: Services): Promise<Readiness> {
  const { ledger, db } = services;
  const [ledgerOk, vault, integrity] = await Promise.all([
    // A query, not height(): the embedded ledger knows its height without reading its store.
    outcomeOf(async () => {
      await services.chaincode.evaluateText(
        services.directory.readerIdentity,
        'registry:ListOrganizations',
        undefined,
      );
      return true;
    }),
    outcomeOf(async () => {
      await db.counters.get(PROBE_KEY);
      return true;
    }),
    ledger instanceof EmbeddedLedger
      ? outcomeOf(async () => (await ledger.verifyAgainstHead(ledger.signedHead())).ok)
      : Promise.resolve<Outcome>('not-checked'),
  ]);
  const accepting: Outcome = services.lifecycle.draining ? 'failed' : 'ok';
  const checks = { ledger: ledgerOk, vault, integrity, accepting };
  const ready = Object.values(checks).every((outcome) => outcome !== 'failed');
  return { status: ready ? 'ready' : 'not-ready', checks };
}

/** GET /ready: 200 when the gateway can serve, 503 (with which check failed) when it cannot. */
export function readinessRoute(services: Services): RouteSpec {
  return defineRoute({
    method: 'get',
    path: '/ready',
    summary: 'Readiness: ledger and store reachable, integrity check passed (GET /health is liveness)',
    tag: 'system',
    access: 'public',
    responses: {
      200: { description: 'Ready to serve', schema: Readiness },
      503: { description: 'Not ready: the failed check is named', schema: Readiness },
    },
    handle: async () => {
      const answer = await readiness(services);
      return { status: answer.status === 'ready' ? 200 : 503, json: answer };
    },
  });
}
