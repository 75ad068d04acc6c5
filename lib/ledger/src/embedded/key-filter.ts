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

/** Two independent 32-bit hashes of the UTF-16 code units (FNV-1a and a multiplicative mix). */
function hashes(key: string): [number, number] {
  let a = 0x811c9dc5;
  let b = 0x9747b28c;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  // The second hash must be odd so the probe sequence visits distinct bits.
  return [a >>> 0, (b | 1) >>> 0];
}
