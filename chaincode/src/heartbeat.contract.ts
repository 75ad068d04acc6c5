import { BeatRequest, Heartbeat, canonicalJson, parseJsonArg } from '@edu-ledger/domain';
import { Context, Contract, Info, Transaction } from './fabric.js';
import { key, txTime, writeRecord } from './store.js';

/** Composite-key object type of beats: `heartbeat` + mspId + slot. */
export const HEARTBEAT_KEY = 'heartbeat';

/**
 * The smallest useful transaction, for measuring the network's own ceiling (bench:fabric's
 * anchor): it writes one key and reads none, so it never loses an MVCC race and costs the peers
 * only endorsement, ordering and commit. Any channel member may call it (the channel's Writers
 * policy already admits only the consortium); it reads no registry record, on purpose, so that
 * its cost is Fabric's, not ours.
 */
@Info({ title: 'Heartbeat', description: 'A one-key write that measures the network itself' })
export class HeartbeatContract extends Contract {
  constructor() {
    super('heartbeat');
  }

  @Transaction()
  async Beat(ctx: Context, requestJson: string): Promise<string> {
    const request = parseJsonArg(BeatRequest, requestJson, 'Beat');
    const beat: Heartbeat = { mspId: ctx.clientIdentity.getMSPID(), slot: request.slot, at: txTime(ctx) };
    await writeRecord(ctx, key(ctx, HEARTBEAT_KEY, beat.mspId, beat.slot), Heartbeat, beat);
    return canonicalJson(beat);
  }
}
