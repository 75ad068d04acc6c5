/**
 * A Bloom filter over the ledger's state keys, so that reading a key that was never written (every
 * new credential's anchor and status slot, checked before they are created) does not go to LevelDB.
 * It can say "maybe present" for an absent key (then LevelDB answers, as before) but never "absent"
 * for a written key, as long as every written key is added: keys committed from now on are added by
 * the state store, and `fill` adds everything already on disk. Until `fill` has finished the filter
 * is not used.
 *
 * Size: `capacity` keys at 10 bits per key and 7 probes, about 1 % false positives; past capacity
 * the rate grows (reads fall back to LevelDB more often), it never becomes wrong.
 */
export class KeyFilter {
  private readonly bits: Uint32Array;
  private readonly size: number;
  private ready = false;
  private stopped = false;

  constructor(capacity: number) {
    this.size = Math.max(1024, capacity * 10);
    this.bits = new Uint32Array(Math.ceil(this.size / 32));
  }

  get isReady(): boolean {
    return this.ready;
  }

  add(key: string): void {
    const [h1, h2] = hashes(key);
    for (let i = 0; i < PROBES; i++) {
      const bit = (h1 + i * h2) % this.size;
      const word = bit >>> 5;
      this.bits[word] = (this.bits[word] ?? 0) | (1 << (bit & 31));
    }
  }

  /** False only when the key was certainly never added. */
  mightContain(key: string): boolean {
    const [h1, h2] = hashes(key);
    for (let i = 0; i < PROBES; i++) {
      const bit = (h1 + i * h2) % this.size;
      if (((this.bits[bit >>> 5] ?? 0) & (1 << (bit & 31))) === 0) return false;
    }
    return true;
  }

  /** Adds every key `keys` yields, then marks the filter ready (unless stopped meanwhile). */
  async fill(keys: AsyncIterable<string>): Promise<void> {
    for await (const key of keys) {
      if (this.stopped) return;
      this.add(key);
    }
    this.ready = !this.stopped;
  }

  stop(): void {
    this.stopped = true;
    this.ready = false;
  }
}

const PROBES = 7;

/** FNV-1a, 32 bits, over UTF-16 code units: a fast, well-spread hash of a key (not for secrets). */
export function fnv1a32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** Two independent 32-bit hashes of the key: FNV-1a and a multiplicative mix. */
function hashes(key: string): [number, number] {
  let b = 0x9747b28c;
  for (let i = 0; i < key.length; i++) {
    b = Math.imul(b ^ key.charCodeAt(i), 0x5bd1e995);
    b ^= b >>> 15;
  }
  // The second hash must be odd so the probe sequence visits distinct bits.
  return [fnv1a32(key), (b | 1) >>> 0];
}
