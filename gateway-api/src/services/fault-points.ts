/**
 * The points between the writes of a request that spans the gateway store and the ledger. A
 * process may die at any of them; the crash tests stop a request at each one (a hook that never
 * returns stands for the kill) and check that a restart resumes or undoes what was left.
 */
export type FaultPoint =
  | 'issuance:slot-allocated'
  | 'issuance:pending-saved'
  | 'issuance:anchored'
  | 'issuance:completed'
  | 'growth:content-saved'
  | 'growth:recorded';

/** Called at each {@link FaultPoint}; production passes {@link NO_FAULTS}. */
export interface FaultPoints {
  reach(point: FaultPoint): Promise<void>;
}

/** Every point passes straight through. */
export const NO_FAULTS: FaultPoints = { reach: () => Promise.resolve() };
