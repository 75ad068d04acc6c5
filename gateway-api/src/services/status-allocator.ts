import { z } from 'zod';
import { STATUS_LIST_SIZE } from '@edu-ledger/domain';
import type { GatewayDb } from '../stores/gateway-db.js';

const Counter = z.object({ list: z.number().int().min(1), next: z.number().int().min(0) });

/** Slots reserved per synced write: one fsync serves this many issuances. */
const RESERVE = 64;

interface Reservation {
  list: number;
  next: number;
  /** First slot not covered by the persisted high-water mark. */
  limit: number;
}

/**
 * Hands out status-list slots per issuer. Slots are reserved in blocks: the high-water mark is
 * persisted before any slot below it is used, so a restart never hands a slot out twice; the slots
 * of a block not used before a restart are skipped (gaps in a status list are harmless, and the
 * chaincode refuses a taken slot in any case). Allocation is serialised per organisation.
 */
export class StatusAllocator {
  private readonly chains = new Map<string, Promise<unknown>>();
  private readonly reservations = new Map<string, Reservation>();

  constructor(private readonly db: GatewayDb) {}

  allocate(orgId: string, count = 1): Promise<{ statusListId: string; statusIndex: number }[]> {
    const run = async (): Promise<{ statusListId: string; statusIndex: number }[]> => {
      const out: { statusListId: string; statusIndex: number }[] = [];
      let r = this.reservations.get(orgId) ?? (await this.loadReservation(orgId));
      for (let i = 0; i < count; i++) {
        if (r.next >= STATUS_LIST_SIZE) r = { list: r.list + 1, next: 0, limit: 0 };
        if (r.next >= r.limit) {
          const limit = Math.min(STATUS_LIST_SIZE, r.next + Math.max(RESERVE, count - i));
          await this.db.put(
            this.db.counters,
            `status:${orgId}`,
            JSON.stringify({ list: r.list, next: limit }),
          );
          r = { ...r, limit };
        }
        out.push({ statusListId: `${orgId}.${r.list}`, statusIndex: r.next });
        r = { ...r, next: r.next + 1 };
      }
      this.reservations.set(orgId, r);
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

  /** After a restart, allocation resumes at the persisted high-water mark. */
  private async loadReservation(orgId: string): Promise<Reservation> {
    const raw = await this.db.counters.get(`status:${orgId}`);
    const { list, next } = raw === undefined ? { list: 1, next: 0 } : Counter.parse(JSON.parse(raw));
    return { list, next, limit: next };
  }
}
