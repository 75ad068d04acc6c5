// Child process for jsonld-contexts.test.ts: canonicalises the JSON array on stdin with stock
// jsonld.js and prints the outcomes as JSON.
import { text } from 'node:stream/consumers';
import { canonizeAll, jsonLdIsStock } from './canonize.js';

if (!jsonLdIsStock()) throw new Error('jsonld.js is not stock in the reference process');
const documents = JSON.parse(await text(process.stdin)) as unknown[];
process.stdout.write(JSON.stringify(await canonizeAll(documents)));
