// Minimal typings for the untyped Digital Bazaar libraries, covering only what this package calls.
// Results that carry data derived from documents are typed `unknown` so callers must narrow them.

declare module '@digitalbazaar/ed25519-multikey' {
  export interface Signer {
    readonly algorithm: string;
    readonly id: string | undefined;
    sign(options: { data: Uint8Array }): Promise<Uint8Array>;
  }
  export interface Verifier {
    readonly algorithm: string;
    readonly id: string | undefined;
    verify(options: { data: Uint8Array; signature: Uint8Array }): Promise<boolean>;
  }
  export interface Ed25519KeyPair {
    readonly id: string | undefined;
    readonly controller: string | undefined;
    readonly publicKeyMultibase: string;
    readonly secretKeyMultibase: string | undefined;
    /** Raw key bytes: 32-byte public key; 64-byte secret key (seed followed by public key). */
    readonly publicKey: Uint8Array;
    readonly secretKey: Uint8Array | undefined;
    signer(): Signer;
    verifier(): Verifier;
  }
  export function generate(options?: {
    id?: string;
    controller?: string;
    seed?: Uint8Array;
  }): Promise<Ed25519KeyPair>;
  export function from(key: Readonly<Record<string, unknown>>): Promise<Ed25519KeyPair>;
}

declare module '@digitalbazaar/eddsa-rdfc-2022-cryptosuite' {
  import type { Verifier } from '@digitalbazaar/ed25519-multikey';
  export interface Cryptosuite {
    readonly name: string;
    readonly requiredAlgorithm: string;
    createVerifier?(options: { verificationMethod: Readonly<Record<string, unknown>> }): Promise<Verifier>;
    canonize?(input: unknown, options: Record<string, unknown>): Promise<string>;
  }
  export const cryptosuite: Cryptosuite;
}

declare module '@digitalbazaar/data-integrity' {
  import type { Signer } from '@digitalbazaar/ed25519-multikey';
  import type { Cryptosuite } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';

  export class DataIntegrityProof {
    constructor(options: { signer?: Signer; date?: Date | string | null; cryptosuite: Cryptosuite });
    readonly verificationMethod: string | undefined;
  }
}

declare module '@digitalbazaar/ed25519-signature-2020' {
  import type { Signer } from '@digitalbazaar/ed25519-multikey';

  /** The VC 1.1-era suite; used here to verify only (no signer), tests also sign with it. */
  export class Ed25519Signature2020 {
    constructor(options?: { signer?: Signer; date?: Date | string | null });
    /** `Ed25519Signature2020`, the proof type it creates and matches. */
    readonly type: string;
  }
}

declare module '@digitalbazaar/vc' {
  import type { DataIntegrityProof } from '@digitalbazaar/data-integrity';
  import type { Ed25519Signature2020 } from '@digitalbazaar/ed25519-signature-2020';

  export type LoaderFunction = (url: string) => Promise<unknown>;

  export function issue(options: {
    credential: object;
    suite: DataIntegrityProof | Ed25519Signature2020;
    documentLoader: LoaderFunction;
    now?: Date | string;
  }): Promise<unknown>;

  export function verifyCredential(options: {
    credential: unknown;
    suite: DataIntegrityProof | Ed25519Signature2020 | (DataIntegrityProof | Ed25519Signature2020)[];
    documentLoader: LoaderFunction;
    checkStatus?: (options: unknown) => Promise<{ verified: boolean }>;
    now?: Date | string;
    maxClockSkew?: number;
  }): Promise<unknown>;

  export function signPresentation(options: {
    presentation: object;
    suite: DataIntegrityProof;
    challenge: string;
    domain?: string;
    documentLoader: LoaderFunction;
  }): Promise<unknown>;

  export function derive(options: {
    verifiableCredential: object;
    suite: DataIntegrityProof;
    documentLoader: LoaderFunction;
  }): Promise<unknown>;
}

declare module 'jsonld-signatures' {
  import type { DataIntegrityProof } from '@digitalbazaar/data-integrity';

  export interface ProofPurpose {
    readonly term: string;
  }
  interface JsonLdSignatures {
    verify(
      document: object,
      options: {
        suite: DataIntegrityProof | DataIntegrityProof[];
        purpose: ProofPurpose;
        documentLoader: (url: string) => Promise<unknown>;
      },
    ): Promise<unknown>;
    readonly purposes: {
      readonly AuthenticationProofPurpose: new (options: {
        challenge: string;
        domain?: string;
      }) => ProofPurpose;
      /** A proof made for `term` by a key its controller lists there; no challenge or domain. */
      readonly ControllerProofPurpose: new (options: { term: string }) => ProofPurpose;
    };
  }
  const jsigs: JsonLdSignatures;
  export default jsigs;
}

declare module '@digitalbazaar/did-method-key' {
  import type { Ed25519KeyPair } from '@digitalbazaar/ed25519-multikey';

  export interface DidKeyDriver {
    use(options: {
      multibaseMultikeyHeader: string;
      fromMultibase: (key: { publicKeyMultibase: string }) => Promise<Ed25519KeyPair>;
    }): void;
    get(options: { did: string }): Promise<unknown>;
  }
  export function driver(): DidKeyDriver;
}

declare module '@digitalbazaar/bitstring' {
  export class Bitstring {
    constructor(options: { length: number; leftToRightIndexing?: boolean });
    set(position: number, on: boolean): void;
    encodeBits(): Promise<string>;
    static decodeBits(options: { encoded: string }): Promise<Uint8Array>;
  }
}

// The context packages are only read by the tests, to prove the bundled JSON copies match them.
declare module '@digitalbazaar/credentials-context' {
  export const contexts: ReadonlyMap<string, unknown>;
}
declare module '@digitalbazaar/data-integrity-context' {
  export const contexts: ReadonlyMap<string, unknown>;
}
declare module '@digitalbazaar/multikey-context' {
  export const contexts: ReadonlyMap<string, unknown>;
}
declare module '@digitalbazaar/vc-bitstring-status-list-context' {
  export const contexts: ReadonlyMap<string, unknown>;
}

declare module '@digitalbazaar/ecdsa-multikey' {
  import type { Signer, Verifier } from '@digitalbazaar/ed25519-multikey';

  export interface EcdsaKeyPair {
    id: string | undefined;
    controller: string | undefined;
    readonly publicKeyMultibase: string;
    signer(): Signer;
    verifier(): Verifier;
    export(options: {
      publicKey?: boolean;
      secretKey?: boolean;
      includeContext?: boolean;
    }): Promise<{ publicKeyMultibase: string; secretKeyMultibase?: string }>;
  }
  export function generate(options: {
    id?: string;
    controller?: string;
    curve: 'P-256' | 'P-384';
  }): Promise<EcdsaKeyPair>;
  export function from(key: Readonly<Record<string, unknown>>): Promise<EcdsaKeyPair>;
}

declare module '@digitalbazaar/ecdsa-sd-2023-cryptosuite' {
  import type { Cryptosuite } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';

  export function createSignCryptosuite(options?: { mandatoryPointers?: string[] }): Cryptosuite;
  export function createDiscloseCryptosuite(options?: { selectivePointers?: string[] }): Cryptosuite;
  export function createVerifyCryptosuite(): Cryptosuite;
}

declare module 'ed25519-signature-2020-context' {
  export const contexts: Map<string, Record<string, unknown>>;
}
