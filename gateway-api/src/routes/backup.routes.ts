import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DomainError } from '@edu-ledger/domain';
import { EmbeddedLedger } from '@edu-ledger/ledger-embedded';
import { defineRoute, type RouteSpec } from '../http/route.js';
import { backupStream } from '../services/backup.service.js';
import type { Services } from '../services/index.js';

/**
 * `POST /admin/backup`: the running gateway holds both LevelDB databases (LevelDB allows one
 * process each), so it is the one that reads them for `edu-admin backup`. Both are snapshotted at
 * one instant when the request arrives, without holding up any write, and streamed as NDJSON
 * (see backup.service.ts); edu-admin checks the manifest and encrypts the file on its side, so the
 * passphrase never reaches the gateway. Bureau administrators only: the stream holds every record.
 */
export function backupRoutes(services: Services): RouteSpec[] {
  return [
    defineRoute({
      method: 'post',
      path: '/admin/backup',
      summary: 'Consistent snapshot of the ledger and the gateway store (for edu-admin backup)',
      description:
        'Streams every key and value of the embedded ledger and of the gateway store as of one instant, ' +
        'then a manifest (counts and SHA-256 per store, ledger height and tip hash). The master key is ' +
        'never part of it. Use `edu-admin backup --out FILE`, which encrypts the stream into FILE.',
      tag: 'system',
      access: ['bureau-admin'],
      responses: {
        200: { description: 'NDJSON lines, the manifest last', contentType: 'application/x-ndjson' },
        409: { description: 'The gateway runs on a Fabric network, which is backed up with its peers' },
      },
      handle: async ({ res }) => {
        const ledger = services.ledger;
        if (!(ledger instanceof EmbeddedLedger)) {
          throw new DomainError(
            'INVALID_STATE',
            'backup covers the embedded ledger; a Fabric network is backed up with its peers',
          );
        }
        // Both snapshots are taken here, before the first line is written.
        const lines = backupStream(ledger, services.db, services.now());
        res.status(200).type('application/x-ndjson');
        try {
          await pipeline(Readable.from(lines), res);
        } catch {
          // The client went away or a read failed: the stream ends without its manifest, which
          // edu-admin refuses; the snapshots are released by the generator's finally.
          res.destroy();
        }
        return { status: 200, json: null };
      },
    }),
  ];
}
