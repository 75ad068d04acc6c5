import { expect } from 'chai';
import { startGateway, studentWithArchive, type Gateway } from '../../gateway-api/test/harness.js';
import { cli, json, newHome, type CliOptions } from './helpers.js';

describe('edu-wallet grant / revoke-grant (consent to read the growth archive)', function () {
  this.timeout(60_000);
  let gw: Gateway;
  let home: string;
  let subjectId: string;
  const as = (extra: Partial<CliOptions> = {}): CliOptions => ({ home, gateway: gw.url, ...extra });

  before(async () => {
    gw = await startGateway();
    home = newHome();
    const { did } = json(await cli(['init', '--json'], as()));
    subjectId = await studentWithArchive(
      gw,
      {
        name: '孙悦',
        idNumber: '310101200805051234',
        studentNumber: 'G310101200805051234',
        birthDate: '2008-05-05',
        did,
      },
      [
        ['g-1', 'academic'],
        ['g-2', 'health'],
      ],
      (dimensionId) => `${dimensionId} 条目`,
    );
  });
  after(() => gw.close());

  it('grants an admissions office one dimension, which it can then read, until the student revokes it', async () => {
    const university = gw.tokens['verifier@university'];
    expect((await gw.call('GET', `/archives/${subjectId}`, { token: university })).status).to.equal(403);

    const granted = json(
      await cli(
        [
          'grant',
          '--to',
          'university',
          '--dimensions',
          'academic',
          '--days',
          '30',
          '--id',
          'adm-2026',
          '--json',
        ],
        as(),
      ),
    );
    expect(granted).to.include({ consentId: 'adm-2026', granteeOrgId: 'university' });
    const seen = await gw.call('GET', `/archives/${subjectId}`, { token: university });
    expect(seen.status).to.equal(200);
    expect(seen.body.entries.map((e: any) => e.dimensionId)).to.deep.equal(['academic']);

    const text = await cli(['revoke-grant', 'adm-2026'], as());
    expect(text.code, text.stderr).to.equal(0);
    expect(text.stdout).to.contain('Consent adm-2026 withdrawn');
    expect((await gw.call('GET', `/archives/${subjectId}`, { token: university })).status).to.equal(403);
  });

  it('refuses bad options and a wallet the school never registered, with clear exits', async () => {
    const badDays = await cli(
      ['grant', '--to', 'university', '--dimensions', 'academic', '--days', '0'],
      as(),
    );
    expect(badDays.code).to.equal(1);
    const other = newHome();
    json(await cli(['init', '--json'], { home: other, gateway: gw.url }));
    const stranger = await cli(['grant', '--to', 'university', '--dimensions', 'academic', '--lang', 'zh'], {
      home: other,
      gateway: gw.url,
    });
    expect(stranger.code).to.equal(3);
    expect(stranger.stderr).to.contain('网关找不到');
    const wrongPass = await cli(
      ['grant', '--to', 'university', '--dimensions', 'academic'],
      as({ passphrase: 'not the passphrase' }),
    );
    expect(wrongPass.code).to.equal(2);
  });
});
