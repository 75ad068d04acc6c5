import { randomBytes } from 'node:crypto';
import type { ClientIdentity } from '@edu-ledger/domain';
import { DevelopmentCertificates } from '@edu-ledger/ledger-embedded';
import { snapshotProcessHandlers } from '../src/process-handlers.js';
import type { createChaincode } from '../src/dispatcher.js';
import { FabricStub, MemoryState } from './fabric-stub.js';
import { T0 } from './support.js';

/** The creator of a proposal as the peer passes it: MSP and certificate bytes. */
export interface Creator {
  mspid: string;
  idBytes: Uint8Array;
}

export interface ShimResponse {
  status: number;
  message: string;
  payload: string;
}

/**
 * Our contracts inside fabric-shim's own dispatcher, over in-memory state: each call is a proposal
 * as a peer hands it to the chaincode, from an identity with a real certificate.
 */
export class ShimHarness {
  readonly state = new MemoryState();

  private constructor(private readonly dispatcher: ReturnType<typeof createChaincode>) {}

  /** Loads the dispatcher quietly: fabric-shim logs each refusal and installs process handlers. */
  static async create(): Promise<ShimHarness> {
    const level = process.env.CORE_CHAINCODE_LOGGING_LEVEL;
    process.env.CORE_CHAINCODE_LOGGING_LEVEL = 'CRITICAL';
    const restore = snapshotProcessHandlers();
    try {
      const { createChaincode } = await import('../src/dispatcher.js');
      return new ShimHarness(createChaincode());
    } finally {
      restore();
      process.env.CORE_CHAINCODE_LOGGING_LEVEL = level;
    }
  }

  readonly certificates = new DevelopmentCertificates();

  /** A fresh stub for one proposal, for tests that look at what the stub itself would return. */
  async stub(
    who: ClientIdentity | Creator,
    fn: string,
    args: readonly string[],
    transient?: Readonly<Record<string, string>>,
  ): Promise<FabricStub> {
    const creator =
      'idBytes' in who ? who : { mspid: who.mspId, idBytes: await this.certificates.certificateFor(who) };
    const call = { fn, args, creator, timestamp: T0, ...(transient ? { transient } : {}) };
    return new FabricStub(this.state, call, randomBytes(16).toString('hex'));
  }

  /**
   * Dispatches one proposal from an identity (its certificate issued by the development CA) or
   * from a creator given as MSP and certificate bytes; its writes are committed only if it succeeds.
   */
  async invoke(
    who: ClientIdentity | Creator,
    fn: string,
    args: readonly string[],
    transient?: Readonly<Record<string, string>>,
  ): Promise<ShimResponse> {
    const stub = await this.stub(who, fn, args, transient);
    const response = await this.dispatcher.Invoke(stub);
    if (response.status === 200) stub.commit();
    return {
      status: response.status,
      message: response.message ?? '',
      payload: Buffer.from(response.payload ?? new Uint8Array(0)).toString('utf8'),
    };
  }

  /** Dispatches a JSON request and returns the parsed result, failing on any refusal. */
  async call(who: ClientIdentity | Creator, fn: string, request?: unknown): Promise<unknown> {
    const response = await this.invoke(who, fn, request === undefined ? [] : [JSON.stringify(request)]);
    if (response.status !== 200) throw new Error(`${fn}: ${response.message}`);
    return JSON.parse(response.payload);
  }
}
