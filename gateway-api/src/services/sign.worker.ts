import { parentPort } from 'node:worker_threads';
import { createDocumentLoader, credentialDigest, issueCredential } from '@edu-ledger/credentials';
import type { SignAnswer, SignJob } from './signer.js';

// Signing needs only the bundled contexts: no DID is resolved while creating a proof.
const documentLoader = createDocumentLoader();

/** Answers finished in the same turn of the event loop go back in one message. */
let outbox: SignAnswer[] = [];
function answer(message: SignAnswer): void {
  if (outbox.push(message) === 1) {
    setImmediate(() => {
      const answers = outbox;
      outbox = [];
      parentPort?.postMessage(answers);
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
    answer({ id: job.id, error: error instanceof Error ? error.message : String(error) });
  }
}

parentPort?.on('message', (jobs: SignJob[]) => {
  for (const job of jobs) void signOne(job);
});
