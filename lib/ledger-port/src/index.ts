export * from './ledger-port.js';
export * from './errors.js';
