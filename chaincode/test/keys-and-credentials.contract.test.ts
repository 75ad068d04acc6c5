import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { merkleProofs, rootFromProof } from '@edu-ledger/domain';
import type { EmbeddedLedger } from '@edu-ledger/ledger-embedded';
import { SCHOOL_DID, call, expectRefused, freshLedger, ids, query, seedConsortium } from './support.js';

const KEY_A = 'z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK';
const KEY_B = 'z6MkjchhfUsD6mmvni8mCdXHw216Xrm9bQe2mBH1P5RDjVJG';

function item(n: number, types = ['VerifiableCredential', 'AchievementCredential']): Record<string, unknown> {
  return {
    credentialId: `urn:uuid:${randomUUID()}`,
    digest: n.toString(16).padStart(64, '0'),
    credentialTypes: types,
    statusListId: 'school-gen.1',
    statusIndex: n,
  };
}

describe('keys contract', () => {
  let ledger: EmbeddedLedger;
  let clock: { now: Date };
  let cleanup: () => Promise<void>;

  beforeEach(async () => {
    ({ ledger, clock, cleanup } = await freshLedger());
    await seedConsortium(ledger);
  });
  afterEach(() => cleanup());

  it('keeps a rotated key verifiable for the time before the rotation', async () => {
    clock.now = new Date('2026-09-01T00:00:00.000Z');
    await call(ledger, ids.schoolAdmin, 'keys:RegisterKey', {
      id: `${SCHOOL_DID}#key-1`,
      publicKeyMultibase: KEY_A,
    });
    clock.now = new Date('2026-10-01T00:00:00.000Z');
    await call(ledger, ids.schoolAdmin, 'keys:RegisterKey', {
      id: `${SCHOOL_DID}#key-2`,
      publicKeyMultibase: KEY_B,
      rotate: true,
    });
    const check = (id: string, at: string): Promise<unknown> =>
      query(ledger, ids.teacher, 'keys:CheckKeyValidity', { id: `${SCHOOL_DID}#${id}`, at });
    expect(await check('key-1', '2026-09-15T00:00:00.000Z')).to.deep.include({
      valid: true,
      orgId: 'school-gen',
    });
    expect(await check('key-1', '2026-10-15T00:00:00.000Z')).to.deep.include({
      valid: false,
      reason: 'signed after the key was retired',
    });
    expect(await check('key-2', '2026-09-15T00:00:00.000Z')).to.deep.include({ valid: false });
    expect(await check('key-2', '2026-10-15T00:00:00.000Z')).to.deep.include({ valid: true });

    const doc = (await query(ledger, ids.teacher, 'keys:GetDidDocument', { did: SCHOOL_DID })) as {
      verificationMethod: { id: string }[];
      assertionMethod: string[];
    };
    expect(doc.assertionMethod).to.deep.equal([`${SCHOOL_DID}#key-1`, `${SCHOOL_DID}#key-2`]);
  });

  it('rotates keys of the same kind only, so a P-256 selective-disclosure key survives an Ed25519 rotation', async () => {
    const P256 = 'zDnaerDaTF5BXEavCrfRZEk316dpbLsfPDZ3WJ5hRTPFU2169';
    await call(ledger, ids.schoolAdmin, 'keys:RegisterKey', {
      id: `${SCHOOL_DID}#key-1`,
      publicKeyMultibase: KEY_A,
    });
    await call(ledger, ids.schoolAdmin, 'keys:RegisterKey', {
      id: `${SCHOOL_DID}#sd-key-1`,
      publicKeyMultibase: P256,
    });
    clock.now = new Date('2026-10-01T00:00:00.000Z');
    await call(ledger, ids.schoolAdmin, 'keys:RegisterKey', {
      id: `${SCHOOL_DID}#key-2`,
      publicKeyMultibase: KEY_B,
      rotate: true,
    });
    const check = (id: string): Promise<unknown> =>
      query(ledger, ids.teacher, 'keys:CheckKeyValidity', {
        id: `${SCHOOL_DID}#${id}`,
        at: '2026-10-15T00:00:00.000Z',
      });
    expect(await check('key-1')).to.deep.include({ valid: false });
    expect(await check('sd-key-1')).to.deep.include({ valid: true });
    expect(await check('key-2')).to.deep.include({ valid: true });
  });

  it('drops a compromised key from the DID document and fails every check of it', async () => {
    await call(ledger, ids.schoolAdmin, 'keys:RegisterKey', {
      id: `${SCHOOL_DID}#key-1`,
      publicKeyMultibase: KEY_A,
    });
    clock.now = new Date('2026-09-10T00:00:00.000Z');
    await call(ledger, ids.schoolAdmin, 'keys:RevokeKey', {
      id: `${SCHOOL_DID}#key-1`,
      reason: 'compromised',
    });
    expect(
      await query(ledger, ids.teacher, 'keys:CheckKeyValidity', {
        id: `${SCHOOL_DID}#key-1`,
        at: '2026-09-05T00:00:00.000Z',
      }),
    ).to.deep.include({ valid: false, reason: 'key revoked as compromised' });
    const doc = (await query(ledger, ids.teacher, 'keys:GetDidDocument', { did: SCHOOL_DID })) as {
      assertionMethod: string[];
    };
    expect(doc.assertionMethod).to.deep.equal([]);
  });

  it('refuses keys from teachers, keys under another DID, and duplicates', async () => {
    await expectRefused(
      ledger,
      'FORBIDDEN_ROLE',
      call(ledger, ids.teacher, 'keys:RegisterKey', { id: `${SCHOOL_DID}#key-1`, publicKeyMultibase: KEY_A }),
    );
    await expectRefused(
      ledger,
      'FORBIDDEN_ORG',
      call(ledger, ids.schoolAdmin, 'keys:RegisterKey', {
        id: 'did:web:edu.example.cn:orgs:bureau#key-1',
        publicKeyMultibase: KEY_A,
      }),
    );
    await call(ledger, ids.schoolAdmin, 'keys:RegisterKey', {
      id: `${SCHOOL_DID}#key-1`,
      publicKeyMultibase: KEY_A,
    });
    await expectRefused(
      ledger,
      'ALREADY_EXISTS',
      call(ledger, ids.schoolAdmin, 'keys:RegisterKey', {
        id: `${SCHOOL_DID}#key-1`,
        publicKeyMultibase: KEY_B,
      }),
    );
  });
});

describe('credentials contract', () => {
  let ledger: EmbeddedLedger;
  let cleanup: () => Promise<void>;

  beforeEach(async () => {
    ({ ledger, cleanup } = await freshLedger());
    await seedConsortium(ledger);
  });
  afterEach(() => cleanup());

  it('anchors a batch under the Merkle root the gateway also computes, with one record per credential', async () => {
    const items = [item(1), item(2), item(3)];
    const batch = (await call(ledger, ids.schoolAdmin, 'credentials:AnchorCredentials', { items })) as {
      root: string;
      count: number;
    };
    const { root, proofs } = merkleProofs(items.map((i) => String(i['digest'])));
    expect(batch).to.include({ root, count: 3 });
    const anchor = (await query(ledger, ids.inspector, 'credentials:GetCredentialAnchor', {
      credentialId: items[2]?.['credentialId'],
    })) as { batchRoot: string; leafIndex: number; issuerOrgId: string };
    expect(anchor).to.include({ batchRoot: root, leafIndex: 2, issuerOrgId: 'school-gen' });
    expect(rootFromProof(String(items[2]?.['digest']), proofs[2] ?? [])).to.equal(root);
  });

  it('refuses anchoring by an unaccredited org, a wrong role, another issuer list, or a repeat', async () => {
    await expectRefused(
      ledger,
      'NOT_ACCREDITED',
      call(ledger, ids.vocAdmin, 'credentials:AnchorCredentials', {
        items: [{ ...item(1), statusListId: 'school-voc.1' }],
      }),
    );
    await expectRefused(
      ledger,
      'NOT_ACCREDITED',
      call(ledger, ids.schoolAdmin, 'credentials:AnchorCredentials', {
        items: [item(1, ['VerifiableCredential', 'ClrCredential'])],
      }),
    );
    await expectRefused(
      ledger,
      'FORBIDDEN_ROLE',
      call(ledger, ids.inspector, 'credentials:AnchorCredentials', { items: [item(1)] }),
    );
    await expectRefused(
      ledger,
      'FORBIDDEN_ORG',
      call(ledger, ids.schoolAdmin, 'credentials:AnchorCredentials', {
        items: [{ ...item(1), statusListId: 'school-voc.1' }],
      }),
    );
    const first = item(7);
    await call(ledger, ids.schoolAdmin, 'credentials:AnchorCredentials', { items: [first] });
    await expectRefused(
      ledger,
      'ALREADY_EXISTS',
      call(ledger, ids.schoolAdmin, 'credentials:AnchorCredentials', {
        items: [{ ...item(8), statusIndex: 7 }],
      }),
    );
  });

  it('moves status only along allowed transitions, by the issuer only, with full history', async () => {
    const it1 = item(5);
    const credentialId = it1['credentialId'];
    await call(ledger, ids.schoolAdmin, 'credentials:AnchorCredentials', { items: [it1] });
    await expectRefused(
      ledger,
      'ISSUER_MISMATCH',
      call(ledger, ids.vocAdmin, 'credentials:SetCredentialStatus', {
        credentialId,
        status: 'revoked',
        reasonCode: 'fraud',
      }),
    );
    await call(ledger, ids.schoolAdmin, 'credentials:SetCredentialStatus', {
      credentialId,
      status: 'suspended',
      reasonCode: 'under-review',
    });
    const list = (await query(ledger, ids.inspector, 'credentials:GetStatusList', {
      statusListId: 'school-gen.1',
    })) as {
      suspended: number[];
      revoked: number[];
    };
    expect(list).to.deep.include({ suspended: [5], revoked: [] });
    await call(ledger, ids.schoolAdmin, 'credentials:SetCredentialStatus', {
      credentialId,
      status: 'revoked',
      reasonCode: 'fraud',
    });
    await expectRefused(
      ledger,
      'STATUS_TRANSITION_FORBIDDEN',
      call(ledger, ids.schoolAdmin, 'credentials:SetCredentialStatus', {
        credentialId,
        status: 'active',
        reasonCode: 'reinstated',
      }),
    );
    const historyEntries = (await query(ledger, ids.inspector, 'credentials:GetStatusHistory', {
      credentialId,
    })) as {
      record: { status: string; reasonCode: string };
    }[];
    expect(historyEntries.map((h) => `${h.record.status}/${h.record.reasonCode}`)).to.deep.equal([
      'active/issued',
      'suspended/under-review',
      'revoked/fraud',
    ]);
  });

  it('reports an unknown credential with a stable code', async () => {
    const err = await query(ledger, ids.inspector, 'credentials:GetCredentialStatus', {
      credentialId: `urn:uuid:${randomUUID()}`,
    }).catch((e: unknown) => String(e));
    expect(err).to.match(/CREDENTIAL_NOT_FOUND/);
  });
});
