import { parentPort } from 'node:worker_threads';
import {
  createDocumentLoader,
  credentialDigest,
  issueCredential,
  type Credential,
  type ExportedKey,
} from '@edu-ledger/credentials';

// Signing needs only the bundled contexts: no DID is resolved while creating a proof.
const documentLoader = createDocumentLoader();

parentPort?.on(
  'message',
  (message: { id: number; credential: Credential; key: ExportedKey; now: string }) => {
    issueCredential({
      credential: message.credential,
      key: message.key,
      documentLoader,
      now: new Date(message.now),
    })
      .then((vc) =>
        parentPort?.postMessage({ id: message.id, signed: { credential: vc, digest: credentialDigest(vc) } }),
      )
      .catch((error: unknown) =>
        parentPort?.postMessage({
          id: message.id,
          error: error instanceof Error ? error.message : String(error),
        }),
      );
  },
);
