import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import {
  checkpointers,
  GatewayError,
  connect,
  type ChaincodeEvent,
  type Checkpointer,
  type CloseableAsyncIterable,
  type Gateway,
  type Network,
} from '@hyperledger/fabric-gateway';
import { common, peer } from '@hyperledger/fabric-protos';
import { DomainError, REQUEST_KEY_TRANSIENT, type ClientIdentity } from '@edu-ledger/domain';
import {
  TransactionInvalidError,
  type ChainCheck,
  type IdentityKind,
  type LedgerEvent,
  type LedgerPort,
  type SubmitOptions,
  type SubmitResult,
  type TxLocation,
} from '@edu-ledger/ledger-port';
import { checkBlockChain } from './chain-check.js';
import { AtomicFileCheckpointer } from './checkpoint.js';
import { toLedgerError, validationCodeName } from './errors.js';
import { loadIdentity, type HeldIdentity } from './identities.js';
import type { ConnectionProfile } from './profile.js';

/** Deadlines per kind of call, in milliseconds. */
export interface Deadlines {
  evaluate: number;
  endorse: number;
  submit: number;
  commitStatus: number;
}

export const DEFAULT_DEADLINES: Readonly<Deadlines> = {
  evaluate: 5_000,
  endorse: 15_000,
  submit: 5_000,
  commitStatus: 60_000,
};

export interface FabricLedgerOptions {
  profile: ConnectionProfile;
  /** The organisations whose identities this gateway holds; every other MSP is refused. */
  mspIds: readonly string[];
  /** The chaincode to call; defaults to the profile's. */
  chaincode?: string;
  /** Identity (of the first MSP) that reads blocks and events. */
  readerName?: string;
  /** File that records the last delivered chaincode event, so a restart resumes after it. */
  eventCheckpointFile?: string;
  deadlines?: Partial<Deadlines>;
  /** How long submit waits for its own event to reach listeners before resolving anyway. */
  eventWaitMs?: number;
}

interface Session {
  held: HeldIdentity;
  gateway: Gateway;
  network: Network;
}

const decoder = new TextDecoder();

function isUnknownTx(error: GatewayError): boolean {
  const text = [error.message, ...error.details.map((d) => d.message)].join('\n');
  return /no such transaction ID|not found/i.test(text);
}

/**
 * The ledger port over a Hyperledger Fabric network, through the peers' Gateway service
 * (@hyperledger/fabric-gateway). Each organisation's identities connect through that
 * organisation's own peer; endorsement, ordering and commit are Fabric's.
 */
export class FabricLedger implements LedgerPort {
  readonly kind = 'fabric' as const;
  private readonly clients = new Map<string, grpc.Client>();
  private readonly sessions = new Map<string, Promise<Session>>();
  private readonly byId = new Map<string, Session>();
  private readonly listeners = new Set<(e: LedgerEvent) => void>();
  private readonly eventWaiters = new Map<string, () => void>();
  private readonly seenEvents = new Set<string>();
  private readonly deadlines: Deadlines;
  private readonly chaincode: string;
  private reader!: Session;
  private events: CloseableAsyncIterable<ChaincodeEvent> | undefined;
  private closed = false;

  private constructor(private readonly options: FabricLedgerOptions) {
    this.deadlines = { ...DEFAULT_DEADLINES, ...options.deadlines };
    this.chaincode = options.chaincode ?? options.profile.chaincode;
  }

  /** Connects, loads the reader identity and starts following chaincode events. */
  static async open(options: FabricLedgerOptions): Promise<FabricLedger> {
    const first = options.mspIds[0];
    if (first === undefined) throw new Error('a Fabric gateway needs at least one organisation');
    const ledger = new FabricLedger(options);
    ledger.reader = await ledger.session(first, options.readerName ?? 'gateway-reader', 'client');
    const checkpointer = options.eventCheckpointFile
      ? await AtomicFileCheckpointer.open(options.eventCheckpointFile)
      : checkpointers.inMemory();
    void ledger.followEvents(checkpointer);
    return ledger;
  }

  async identity(mspId: string, name: string, kind: IdentityKind): Promise<ClientIdentity> {
    const { held } = await this.session(mspId, name, kind);
    return { mspId: held.mspId, id: held.id };
  }

  async submit(
    identity: ClientIdentity,
    fn: string,
    args: readonly string[],
    options: SubmitOptions = {},
  ): Promise<SubmitResult> {
    const contract = this.sessionFor(identity).network.getContract(this.chaincode);
    let txId: string | undefined;
    try {
      const submitted = await contract.submitAsync(fn, {
        arguments: [...args],
        ...(options.requestKey === undefined
          ? {}
          : { transientData: { [REQUEST_KEY_TRANSIENT]: options.requestKey } }),
      });
      txId = submitted.getTransactionId();
      const eventSeen = this.waitForEvent(txId);
      const status = await submitted.getStatus();
      if (!status.successful) {
        throw new TransactionInvalidError(status.transactionId, validationCodeName(status.code));
      }
      await eventSeen;
      return {
        txId,
        blockNumber: Number(status.blockNumber),
        result: decoder.decode(submitted.getResult()),
      };
    } catch (error) {
      throw toLedgerError(error, 'submit');
    } finally {
      if (txId !== undefined) this.eventWaiters.delete(txId);
    }
  }

  async evaluate(identity: ClientIdentity, fn: string, args: readonly string[]): Promise<string> {
    const contract = this.sessionFor(identity).network.getContract(this.chaincode);
    try {
      return decoder.decode(await contract.evaluate(fn, { arguments: [...args] }));
    } catch (error) {
      throw toLedgerError(error, 'evaluate');
    }
  }

  onEvent(listener: (event: LedgerEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async locateTransaction(txId: string): Promise<TxLocation | undefined> {
    let processed: peer.ProcessedTransaction;
    let block: common.Block;
    try {
      processed = peer.ProcessedTransaction.deserializeBinary(await this.qsccRaw('GetTransactionByID', txId));
      block = common.Block.deserializeBinary(await this.qsccRaw('GetBlockByTxID', txId));
    } catch (error) {
      // qscc answers an unknown transaction id with an error whose detail names it, not with nothing.
      if (error instanceof GatewayError && isUnknownTx(error)) return undefined;
      throw toLedgerError(error, 'evaluate');
    }
    return {
      txId,
      blockNumber: block.getHeader()?.getNumber() ?? 0,
      validationCode: validationCodeName(processed.getValidationcode()),
    };
  }

  async height(): Promise<number> {
    return common.BlockchainInfo.deserializeBinary(await this.qscc('GetChainInfo')).getHeight();
  }

  /** Fetches every block through qscc and recomputes the header hash chain and data hashes. */
  async verifyChain(): Promise<ChainCheck> {
    const height = await this.height();
    return checkBlockChain(height, async (n) =>
      common.Block.deserializeBinary(await this.qscc('GetBlockByNumber', String(n))),
    );
  }

  /** The block as the peer stores it, for callers that inspect blocks themselves. */
  async getBlock(number: number): Promise<common.Block> {
    return common.Block.deserializeBinary(await this.qscc('GetBlockByNumber', String(number)));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.events?.close();
    for (const session of await Promise.allSettled(this.sessions.values())) {
      if (session.status === 'fulfilled') session.value.gateway.close();
    }
    for (const client of this.clients.values()) client.close();
  }

  private async qscc(fn: string, ...args: string[]): Promise<Uint8Array> {
    try {
      return await this.qsccRaw(fn, ...args);
    } catch (error) {
      throw toLedgerError(error, 'evaluate');
    }
  }

  private qsccRaw(fn: string, ...args: string[]): Promise<Uint8Array> {
    const contract = this.reader.network.getContract('qscc');
    return contract.evaluateTransaction(fn, this.options.profile.channel, ...args);
  }

  private sessionFor(identity: ClientIdentity): Session {
    const session = this.byId.get(`${identity.mspId}\n${identity.id}`);
    if (!session) {
      throw new DomainError(
        'FORBIDDEN_ORG',
        `this gateway holds no key for that identity of ${identity.mspId}`,
      );
    }
    return session;
  }

  private session(mspId: string, name: string, kind: IdentityKind): Promise<Session> {
    const key = `${mspId}\n${name}\n${kind}`;
    let pending = this.sessions.get(key);
    if (!pending) {
      pending = this.openSession(mspId, name, kind);
      this.sessions.set(key, pending);
      pending.catch(() => this.sessions.delete(key));
    }
    return pending;
  }

  private async openSession(mspId: string, name: string, kind: IdentityKind): Promise<Session> {
    const org = Object.values(this.options.profile.orgs).find((o) => o.mspId === mspId);
    if (!org || !this.options.mspIds.includes(mspId)) {
      throw new DomainError('NOT_FOUND', `this gateway does not act for ${mspId}`);
    }
    const held = await loadIdentity(mspId, org.identitiesDir, name, kind);
    const d = this.deadlines;
    const gateway = connect({
      client: this.client(mspId),
      identity: held.identity,
      signer: held.signer,
      hash: held.hash,
      evaluateOptions: () => ({ deadline: Date.now() + d.evaluate }),
      endorseOptions: () => ({ deadline: Date.now() + d.endorse }),
      submitOptions: () => ({ deadline: Date.now() + d.submit }),
      commitStatusOptions: () => ({ deadline: Date.now() + d.commitStatus }),
    });
    const session = { held, gateway, network: gateway.getNetwork(this.options.profile.channel) };
    this.byId.set(`${held.mspId}\n${held.id}`, session);
    return session;
  }

  /** One gRPC connection per organisation's gateway peer, shared by that organisation's identities. */
  private client(mspId: string): grpc.Client {
    let client = this.clients.get(mspId);
    if (!client) {
      const org = Object.values(this.options.profile.orgs).find((o) => o.mspId === mspId);
      if (!org) throw new DomainError('NOT_FOUND', `no peer for ${mspId} in the connection profile`);
      const tls = grpc.credentials.createSsl(readFileSync(org.peer.tlsRootCert));
      client = new grpc.Client(org.peer.endpoint, tls, {
        ...(org.peer.hostAlias ? { 'grpc.ssl_target_name_override': org.peer.hostAlias } : {}),
      });
      this.clients.set(mspId, client);
    }
    return client;
  }

  /**
   * Follows the chaincode's events from the checkpoint (or from now), reconnecting after a failure,
   * and checkpoints each event once every listener has had it: a restart neither repeats nor skips.
   */
  private async followEvents(checkpointer: Checkpointer): Promise<void> {
    let backoff = 250;
    while (!this.closed) {
      try {
        this.events = await this.reader.network.getChaincodeEvents(this.chaincode, {
          checkpoint: checkpointer,
        });
        for await (const event of this.events) {
          backoff = 250;
          this.deliver(event);
          await checkpointer.checkpointChaincodeEvent(event);
        }
      } catch {
        // The peer went away or the stream broke: reconnect from the checkpoint.
      }
      if (this.closed) return;
      await new Promise((resolve) => setTimeout(resolve, backoff));
      backoff = Math.min(backoff * 2, 5_000);
    }
  }

  private deliver(event: ChaincodeEvent): void {
    const text = decoder.decode(event.payload);
    let payload: unknown = text;
    try {
      payload = JSON.parse(text);
    } catch {
      // Non-JSON payloads are delivered as text, as the embedded ledger does.
    }
    const ledgerEvent: LedgerEvent = {
      blockNumber: Number(event.blockNumber),
      txId: event.transactionId,
      name: event.eventName,
      payload,
    };
    for (const listener of this.listeners) listener(ledgerEvent);
    this.seenEvents.add(event.transactionId);
    if (this.seenEvents.size > 10_000) this.seenEvents.clear();
    this.eventWaiters.get(event.transactionId)?.();
  }

  /**
   * Resolves once this transaction's event has reached the listeners (or after a bounded wait), so
   * that, as on the embedded ledger, caches that listen for events are current when submit returns.
   */
  private waitForEvent(txId: string): Promise<void> {
    if (this.seenEvents.has(txId)) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, this.options.eventWaitMs ?? 2_000);
      this.eventWaiters.set(txId, () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
