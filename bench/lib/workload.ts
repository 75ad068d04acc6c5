/** The credential the benchmarks issue: an Open Badges 3.0 achievement, different each time. */
const HOLDER = 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK';

export function achievement(i: number): Record<string, unknown> {
  return {
    '@context': [
      'https://www.w3.org/ns/credentials/v2',
      'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json',
    ],
    type: ['VerifiableCredential', 'OpenBadgeCredential'],
    // The bench gateway runs with DID_WEB_HOST's default host.
    issuer: 'did:web:edu.example.cn:orgs:school-gen',
    credentialSubject: {
      id: HOLDER,
      type: ['AchievementSubject'],
      achievement: {
        id: 'urn:uuid:8a1f6a5e-1c3b-4c59-9f0a-2f4b0b8f1a11',
        type: ['Achievement'],
        name: `期末综合评价 Term report ${i}`,
        // Open Badges 3.0 requires a description of every achievement.
        description: '学期综合评价 End-of-term evaluation',
        criteria: { narrative: '学校审核 Approved by the school' },
      },
    },
  };
}
