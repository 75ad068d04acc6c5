import { expect } from 'chai';
import { didKeyFromSeed } from '@edu-ledger/credentials';
import { AUDIT_KINDS } from '@edu-ledger/domain';
import { achievementRequest, startGateway, type Gateway } from './harness.js';

/** An inspector's audit must be complete: paging walks every record of every kind to its end. */
describe('gateway: audit paging reaches every record', function () {
  this.timeout(120_000);
  let gw: Gateway;
  let inspector: string;

  before(async () => {
    gw = await startGateway();
    inspector = gw.tokens['inspector@bureau']!;
    const holder = (await didKeyFromSeed(new Uint8Array(32).fill(21))).did;
    for (let i = 0; i < 5; i++) {
      await gw.step(
        'POST',
        '/credentials/issue',
        gw.tokens['school-admin@school-gen'],
        achievementRequest(holder),
        201,
      );
    }
  });
  after(() => gw.close());

  async function walk(query: string): Promise<{ keys: string[]; pages: number }> {
    const keys: string[] = [];
    let bookmark = '';
    let pages = 0;
    do {
      const page = await gw.step(
        'GET',
        `/audit/schools/school-gen?${query}${bookmark ? `&bookmark=${bookmark}` : ''}`,
        inspector,
        undefined,
        200,
      );
      keys.push(...page.records.map((r: { kind: string; key: string }) => `${r.kind} ${r.key}`));
      bookmark = page.bookmark;
      pages++;
      expect(pages, 'paging ends').to.be.below(50);
    } while (bookmark);
    return { keys, pages };
  }

  it('returns, page by page across all kinds, exactly what each kind holds', async () => {
    const all = await walk('pageSize=2');
    expect(all.pages, 'more than one page was needed').to.be.greaterThan(2);
    const byKind: string[] = [];
    for (const kind of AUDIT_KINDS) byKind.push(...(await walk(`pageSize=100&kind=${kind}`)).keys);
    expect([...all.keys].sort()).to.deep.equal([...byKind].sort());
    expect(new Set(all.keys).size, 'no record twice').to.equal(all.keys.length);
    expect(all.keys.filter((k) => k.startsWith('credential ')).length).to.equal(5);
  });

  it('refuses a bookmark it did not hand out', async () => {
    const junk = Buffer.from('{"credential":1}').toString('base64url');
    await gw.step(
      'GET',
      `/audit/schools/school-gen?bookmark=${junk}`,
      inspector,
      undefined,
      400,
      'INVALID_ARGUMENT',
    );
  });
});
