import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { EXIT, WalletError } from '../src/errors.js';
import { detectLang, MESSAGES, translator } from '../src/i18n.js';
import { identityFromMnemonic, slip10Ed25519 } from '../src/identity.js';
import { openText, sealText, writeFileAtomic } from '../src/sealed-file.js';

const LOW_COST = { EDU_WALLET_SCRYPT_N: '1024' };

async function rejection(promise: Promise<unknown>): Promise<WalletError> {
  try {
    await promise;
  } catch (error) {
    expect(error).to.be.instanceOf(WalletError);
    return error as WalletError;
  }
  throw new Error('expected a rejection');
}

describe('edu-wallet internals', function () {
  this.timeout(20_000);
  it('derives Ed25519 keys as SLIP-0010 test vector 1 says', () => {
    const seed = Buffer.from('000102030405060708090a0b0c0d0e0f', 'hex');
    const hex = (path: number[]) => Buffer.from(slip10Ed25519(seed, path)).toString('hex');
    expect(hex([])).to.equal('2b4be7f19ee27bbf30c667b642d5f4aa69fd169872f8fc3059c08ebae2eb19e7');
    expect(hex([0])).to.equal('68e0fe46dfb67e368c75379acec591dad19df3cde26e63b93a8e704f1dade7a3');
    expect(hex([0, 1])).to.equal('b1d0bad404bf35da785a64ca1ac54b2617211d2777696fbffaf208f746ae84f2');
  });

  it('gives the same did:key for the same words, however they are typed', async () => {
    const words = 'legal winner thank year wave sausage worth useful legal winner thank yellow';
    const a = await identityFromMnemonic(words);
    const b = await identityFromMnemonic(`  ${words.toUpperCase().replace(/ /g, '   ')}\n`);
    expect(a.did).to.match(/^did:key:z6Mk/);
    expect(b.did).to.equal(a.did);
    expect(a.key.controller).to.equal(a.did);
    const wrongChecksum = words.replace(/yellow$/, 'winner');
    expect((await rejection(identityFromMnemonic(wrongChecksum))).key).to.equal('badMnemonic');
  });

  it('tells a wrong passphrase (2) from a damaged or foreign file (6)', async () => {
    const text = await sealText('edu-wallet', 'correct horse', '{"hello":"世界"}', LOW_COST);
    expect(await openText('edu-wallet', 'correct horse', text, 'f')).to.equal('{"hello":"世界"}');
    // The same passphrase in another Unicode normal form opens the file too.
    const nfd = await sealText('edu-wallet', 'caf\u0065\u0301 au lait', 'x', LOW_COST);
    expect(await openText('edu-wallet', 'caf\u00e9 au lait', nfd, 'f')).to.equal('x');

    expect((await rejection(openText('edu-wallet', 'wrong horse', text, 'f'))).exitCode).to.equal(
      EXIT.WRONG_PASSPHRASE,
    );
    const envelope = JSON.parse(text);
    const ct = Buffer.from(envelope.ciphertext, 'base64');
    ct[0] = (ct[0] ?? 0) ^ 1;
    const flipped = JSON.stringify({ ...envelope, ciphertext: ct.toString('base64') });
    expect((await rejection(openText('edu-wallet', 'correct horse', flipped, 'f'))).exitCode).to.equal(
      EXIT.CORRUPTED,
    );
    const swappedFormat = JSON.stringify({ ...envelope, format: 'edu-wallet-backup' });
    expect((await rejection(openText('edu-wallet', 'correct horse', swappedFormat, 'f'))).key).to.equal(
      'notAWallet',
    );
    // A crafted cost is refused before any work is done.
    const greedy = JSON.stringify({ ...envelope, kdf: { ...envelope.kdf, N: 2 ** 30 } });
    expect((await rejection(openText('edu-wallet', 'correct horse', greedy, 'f'))).exitCode).to.equal(
      EXIT.CORRUPTED,
    );
    expect((await rejection(openText('edu-wallet', 'x', 'not json', 'f'))).exitCode).to.equal(EXIT.CORRUPTED);
    expect(
      (await rejection(sealText('edu-wallet', 'p', 'x', { EDU_WALLET_SCRYPT_N: '1000' }))).exitCode,
    ).to.equal(EXIT.USAGE);
    expect(JSON.parse(await sealText('edu-wallet', 'p', 'x', {})).kdf.N, 'default cost').to.equal(2 ** 17);
  });

  it('replaces files atomically and leaves no temporary file behind', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'edu-wallet-unit-'));
    const file = join(dir, 'wallet.json');
    await writeFileAtomic(file, 'one');
    await writeFileAtomic(file, 'two');
    expect(readFileSync(file, 'utf8')).to.equal('two');
    expect(readdirSync(dir)).to.deep.equal(['wallet.json']);
    let failed = false;
    try {
      await writeFileAtomic(join(dir, 'missing-folder', 'x.json'), 'three');
    } catch {
      failed = true;
    }
    expect(failed).to.equal(true);
    expect(readdirSync(dir)).to.deep.equal(['wallet.json']);
  });

  it('chooses the language from --lang, then LC_ALL, LC_MESSAGES, LANG', () => {
    expect(detectLang(['list', '--lang', 'zh'], { LANG: 'en_US.UTF-8' })).to.equal('zh');
    expect(detectLang(['--lang=en'], { LC_ALL: 'zh_CN.UTF-8' })).to.equal('en');
    expect(detectLang([], { LC_ALL: 'zh_CN.UTF-8', LANG: 'en_US' })).to.equal('zh');
    expect(detectLang([], { LC_ALL: '', LANG: 'zh_TW.UTF-8' })).to.equal('zh');
    expect(detectLang([], { LANG: 'C.UTF-8' })).to.equal('en');
    expect(detectLang([], {})).to.equal('en');
  });

  it('has every message in both languages, with the same placeholders', () => {
    const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const [key, text] of Object.entries(MESSAGES)) {
      expect(placeholders(text.zh), key).to.deep.equal(placeholders(text.en));
      expect(text.zh, key).to.match(/[\u4e00-\u9fff]/);
    }
    expect(translator('zh')('wrongPassphrase', { file: 'w.json' })).to.equal('密码错误，无法打开 w.json。');
    expect(translator('en')('refused', { status: 409 }))
      .to.contain('HTTP 409')
      .and.contain('{code}');
  });
});
