import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Sources a peer executes: the chaincode and the domain model it bundles. */
const SOURCE_DIRS = ['chaincode/src', 'lib/domain/src'];

/**
 * Calls whose result differs between endorsing peers: the wall clock and randomness. Chaincode
 * reads time from the transaction (`ctx.stub.getDateTimestamp()`) and has no use for randomness.
 */
const NON_DETERMINISTIC = [
  /\bDate\.now\s*\(/,
  /\bnew Date\s*\(\s*\)/,
  /\bMath\.random\s*\(/,
  /\brandom(Bytes|UUID|Int|Fill)\b/,
  /\bgetRandomValues\b/,
  /\bperformance\.now\b/,
  /\bprocess\.hrtime\b/,
];

function sources(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

describe('chaincode determinism', () => {
  it('never reads the clock or randomness, only the transaction timestamp', () => {
    const files = SOURCE_DIRS.flatMap(sources);
    expect(files).to.include('chaincode/src/credentials.contract.ts');
    const offending = files.flatMap((file) =>
      readFileSync(join(root, file), 'utf8')
        .split('\n')
        .flatMap((line, i) =>
          NON_DETERMINISTIC.some((p) => p.test(line)) ? [`${file}:${i + 1}: ${line.trim()}`] : [],
        ),
    );
    expect(offending).to.deep.equal([]);
  });
});
