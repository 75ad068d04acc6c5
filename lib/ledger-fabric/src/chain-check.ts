import { createHash } from 'node:crypto';
import { common } from '@hyperledger/fabric-protos';
import type { ChainCheck } from '@edu-ledger/ledger-port';

const sha256 = (data: Uint8Array): Buffer => createHash('sha256').update(data).digest();

function derLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n % 256);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

const der = (tag: number, body: Uint8Array): Buffer =>
  Buffer.concat([Buffer.from([tag]), derLength(body.length), body]);

/** DER INTEGER of a non-negative number: big-endian, shortest form, a leading 0 if the top bit is set. */
function derUnsigned(value: bigint): Buffer {
  let hex = value.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  let bytes = Buffer.from(hex, 'hex');
  if ((bytes[0] ?? 0) & 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
  return der(0x02, bytes);
}

/**
 * A block header's hash as Fabric computes it (protoutil.BlockHeaderHash): SHA-256 over the ASN.1
 * DER SEQUENCE of the block number, the previous header's hash and the data hash.
 */
export function blockHeaderHash(header: common.BlockHeader): Buffer {
  const body = Buffer.concat([
    derUnsigned(BigInt(header.getNumber())),
    der(0x04, header.getPreviousHash_asU8()),
    der(0x04, header.getDataHash_asU8()),
  ]);
  return sha256(der(0x30, body));
}

/** The data hash Fabric puts in a header (protoutil.ComputeBlockDataHash): SHA-256 of the joined envelopes. */
export function blockDataHash(data: common.BlockData): Buffer {
  return sha256(Buffer.concat(data.getDataList_asU8()));
}

/**
 * Walks blocks 0…height-1 as fetched from a peer and checks what a peer's ledger promises: each
 * header's data hash matches its envelopes, and each header names the previous header's hash. It
 * does not replay state: on Fabric the peers' own validation and the orderers' signatures stand
 * behind the state database.
 */
export async function checkBlockChain(
  height: number,
  fetchBlock: (number: number) => Promise<common.Block>,
): Promise<ChainCheck> {
  const problems: string[] = [];
  let previous: Buffer | undefined;
  let transactions = 0;
  for (let n = 0; n < height; n++) {
    const block = await fetchBlock(n);
    const header = block.getHeader();
    const data = block.getData();
    if (!header || !data) {
      problems.push(`block ${n}: missing header or data`);
      previous = undefined;
      continue;
    }
    if (header.getNumber() !== n) problems.push(`block ${n}: header says number ${header.getNumber()}`);
    if (!blockDataHash(data).equals(header.getDataHash_asU8())) {
      problems.push(`block ${n}: data hash does not match its transactions`);
    }
    if (previous && !previous.equals(header.getPreviousHash_asU8())) {
      problems.push(`block ${n}: previous hash does not match block ${n - 1}`);
    }
    transactions += data.getDataList().length;
    previous = blockHeaderHash(header);
  }
  return {
    ok: problems.length === 0,
    height,
    lastHash: previous?.toString('hex') ?? '',
    checkedTransactions: transactions,
    checkedKeys: 0,
    problems,
  };
}
