import { z } from 'zod';
import { STATUS_LIST_SIZE } from '@edu-ledger/domain';
import type { GatewayDb } from '../stores/gateway-db.js';

const Counter = z.object({ list: z.number().int().min(1), next: z.number().int().min(0) });

/**
 * Hands out status-list slots per issuer. Allocation is serialised per organisation and persisted
 * before the slot is used, so a restart never hands out a slot twice. A slot whose issuance then
 * fails stays unused; the chaincode refuses a taken slot in any case.
 */
export class StatusAllocator {
  private readonly chains = new Map<string, Promise<unknown>>();

  constructor(private readonly db: GatewayDb) {}

  allocate(orgId: string, count = 1): Promise<{ statusListId: string; statusIndex: number }[]> {
    const run = async (): Promise<{ statusListId: string; statusIndex: number }[]> => {
      const raw = await this.db.counters.get(`status:${orgId}`);
      let { list, next } = raw === undefined ? { list: 1, next: 0 } : Counter.parse(JSON.parse(raw));
      const out: { statusListId: string; statusIndex: number }[] = [];
      for (let i = 0; i < count; i++) {
        if (next >= STATUS_LIST_SIZE) {
          list += 1;
          next = 0;
        }
        out.push({ statusListId: `${orgId}.${list}`, statusIndex: next });
        next += 1;
      }
      await this.db.put(this.db.counters, `status:${orgId}`, JSON.stringify({ list, next }));
      return out;
    };
    const previous = this.chains.get(orgId) ?? Promise.resolve();
    const result = previous.then(run, run);
    this.chains.set(
      orgId,
      result.catch(() => undefined),
    );
    return result;
  }
}
