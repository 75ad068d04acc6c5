import { parentPort } from 'node:worker_threads';
import { createDocumentLoader, credentialDigest, issueCredential } from '@edu-ledger/credentials';
import { toSignFailure, type SignAnswer, type SignJob } from './signer.js';

// Signing needs only the bundled contexts: no DID is resolved while creating a proof.
const documentLoader = createDocumentLoader();

/**
 * Sends answers in one message; when that message cannot be copied, each answer on its own, and
 * an answer that still cannot travel becomes an error answer, so the job is not left waiting.
 */
function post(answers: SignAnswer[]): void {
  try {
    parentPort?.postMessage(answers);
    return;
  } catch {
    // Fall through: one answer at a time.
  }
  for (const one of answers) {
    try {
      parentPort?.postMessage([one]);
    } catch (error) {
      parentPort?.postMessage([{ id: one.id, error: toSignFailure(error) }]);
    }
  }
}

/** Answers finished in the same turn of the event loop go back in one message. */
let outbox: SignAnswer[] = [];
function answer(message: SignAnswer): void {
  if (outbox.push(message) === 1) {
    setImmediate(() => {
      const answers = outbox;
      outbox = [];
      post(answers);
    });
  }
}

async function signOne(job: SignJob): Promise<void> {
  try {
    const vc = await issueCredential({
      credential: job.credential,
      key: job.key,
      documentLoader,
      now: new Date(job.now),
    });
    answer({ id: job.id, signed: { credential: vc, digest: credentialDigest(vc) } });
  } catch (error) {
    answer({ id: job.id, error: toSignFailure(error) });
  }
}

parentPort?.on('message', (jobs: SignJob[]) => {
  for (const job of jobs) void signOne(job);
});
