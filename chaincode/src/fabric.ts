import { restoreProcessHandlers } from './quiet-logs.js';
import 'reflect-metadata';
// fabric-contract-api is CommonJS whose named exports Node's ESM loader cannot detect, so take
// them from the default export once, here.
import fabricContractApi from 'fabric-contract-api';
import type { Context as FabricContext, Contract as FabricContract } from 'fabric-contract-api';
import type { LedgerContext } from './ledger-context.js';

restoreProcessHandlers();

export const { Contract, Info } = fabricContractApi;

/**
 * fabric-contract-api's transaction context. Transactions take it as their first parameter so the
 * shim recognises (and skips) it when it lists their parameters; the value is the class the shim
 * compares against, the type is the library's own.
 */
export const Context = fabricContractApi.Context;
export type Context = FabricContext;

/** Fabric's context is what the helpers' narrow interface describes (checked here, at compile time). */
const fabricContextServesHelpers = (ctx: Context): LedgerContext => ctx;
void fabricContextServesHelpers;

/** The only transaction signature the contracts use: a context, string arguments, a string result. */
type TxMethod = (ctx: Context, ...args: string[]) => Promise<string>;

/** Rejects (at compile time) a transaction whose first parameter is not Fabric's Context. */
type FirstParameterIsContext<T extends TxMethod> = [Context] extends [Parameters<T>[0]]
  ? [Parameters<T>[0]] extends [Context]
    ? unknown
    : { firstParameterMustBeFabricContext: never }
  : { firstParameterMustBeFabricContext: never };

/**
 * fabric-contract-api's `@Transaction` plus `@Returns('string')`, with the parameter types the
 * shim needs. The shim reads `design:paramtypes` to learn each parameter's type and to recognise the
 * context: TypeScript emits it only with `emitDecoratorMetadata` (the bundle build), esbuild and
 * therefore tsx never do. Where it is present it is checked (Context, then strings); where it is
 * absent it is declared from the method's arity, which the signature type above makes exact.
 *
 * @param submit true for a transaction that may write (submitted), false for a query (evaluated).
 * @throws Error at class definition when compiled metadata shows another signature.
 */
export function Transaction(submit = true) {
  const transaction = fabricContractApi.Transaction(submit);
  const returns = fabricContractApi.Returns('string');
  return <T extends TxMethod>(
    target: FabricContract,
    name: string,
    descriptor: TypedPropertyDescriptor<T> & FirstParameterIsContext<T>,
  ): void => {
    declareParameterTypes(target, name, descriptor.value?.length ?? 0);
    transaction(target, name);
    returns(target, name);
  };
}

function declareParameterTypes(target: FabricContract, name: string, arity: number): void {
  const expected: unknown[] = [Context, ...Array.from({ length: Math.max(arity - 1, 0) }, () => String)];
  const declared: unknown = Reflect.getOwnMetadata('design:paramtypes', target, name);
  if (declared === undefined) {
    Reflect.defineMetadata('design:paramtypes', expected, target, name);
    return;
  }
  const matches =
    Array.isArray(declared) &&
    declared.length === expected.length &&
    declared.every((type, i) => type === expected[i]);
  if (!matches) {
    throw new Error(
      `${target.constructor.name}.${name}: a transaction takes (ctx: Context, ...args: string[])`,
    );
  }
}
