// Types for the parts of fabric-shim that it ships without declarations, or declares incompletely.

declare module 'fabric-shim-api' {
  interface ChaincodeStub {
    /** Present on fabric-shim's stub (lib/stub.js), and what its contract dispatcher reads. */
    getBufferArgs(): Uint8Array[];
  }
}

declare module 'fabric-shim/lib/contract-spi/chaincodefromcontract.js' {
  import type { ChaincodeResponse, ChaincodeStub, SerializedIdentity } from 'fabric-shim-api';

  /** What the dispatcher and fabric-shim's ClientIdentity read from the stub before a transaction runs. */
  interface DispatchStub extends Pick<ChaincodeStub, 'getBufferArgs' | 'getTxID' | 'getChannelID'> {
    getCreator(): SerializedIdentity;
  }

  interface Serializers {
    /** The name, in `serializers`, of the one used for transaction arguments and results. */
    transaction: string;
    serializers: Record<string, new () => object>;
  }

  /**
   * fabric-shim's contract dispatcher: routes `contract:Transaction` to the method, after checking
   * the arguments against the metadata the decorators declared.
   */
  class ChaincodeFromContract {
    /** Note: appends fabric's system contract to `contracts` (pass a copy). */
    constructor(
      contracts: (new () => object)[],
      serializers: Serializers,
      metadata?: object,
      title?: string,
      version?: string,
    );
    /** The metadata the shim serves from `org.hyperledger.fabric:GetMetadata`. */
    readonly metadata: unknown;
    /** Each contract by name, fabric's system contract included. */
    readonly contractImplementations: Record<string, { contractInstance: object } | undefined>;
    Init(stub: DispatchStub): Promise<ChaincodeResponse>;
    Invoke(stub: DispatchStub): Promise<ChaincodeResponse>;
  }
  export = ChaincodeFromContract;
}
