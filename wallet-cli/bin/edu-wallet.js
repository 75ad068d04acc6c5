#!/usr/bin/env node
// edu-wallet runs from its TypeScript sources, with no build step: tsx's loader is registered
// here, then the CLI is imported. Paths are resolved from this file, so any working folder works.
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
