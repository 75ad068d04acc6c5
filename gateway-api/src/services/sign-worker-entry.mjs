// Worker threads do not inherit the parent's tsx loader, so the worker registers it itself before
// loading its TypeScript body.
import { register } from 'tsx/esm/api';

register();
await import('./sign.worker.ts');
