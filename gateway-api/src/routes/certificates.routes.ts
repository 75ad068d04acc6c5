import { z } from 'zod';
import { CredentialId, CredentialStatusRecord, DomainError, ISSUER_ROLES } from '@edu-ledger/domain';
import { GatewayRefusal } from '../http/errors.js';
import { defineRoute, param, type RouteSpec } from '../http/route.js';
import {
  CertificateFontMissing,
  DEFAULT_CERTIFICATE_FONT,
  certificateFacts,
  credentialContent,
  renderCertificate,
  subjectsOf,
} from '../services/certificate.js';
import { HolderProofs } from '../services/holder-proof.js';
import type { Services } from '../services/index.js';

/** `?proof=`: the holder's did-jwt, a compact JWS. */
const CertificateQuery = z.object({
  proof: z
    .string()
    .max(8192)
    .regex(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/, 'a compact JWS (header.payload.signature)')
    .optional()
    .describe(
      "The holder's proof instead of a bearer token: a did-jwt signed by the credential subject's did:key, " +
        'with aud = PUBLIC_URL + "/credentials/" + encodeURIComponent(credentialId) + "/certificate.pdf" ' +
        'and exp at most 600 s ahead.',
    ),
});

const DESCRIPTION = `A4 certificate (Chinese and English) of a credential this gateway issued, rendered from its stored copy:
issuer, name, achievement, credits and unit, holder name (when the credential carries one), issue date, id, status
(a revoked or suspended credential's certificate carries a large 已撤销 REVOKED / 已暂停 SUSPENDED mark) and a QR code
opening the verify page with the credential (\`PUBLIC_URL/verify/#vcz=<deflate-raw base64url>\`; a credential too big for
a readable QR code gets \`PUBLIC_URL/credentials/<id>/status-history\` instead).
Who may fetch it: the issuing organisation's staff (bearer token, an issuing role), or the holder with \`?proof=<did-jwt>\`
(no Authorization header). 503 CERTIFICATE_UNAVAILABLE when the server lacks its CJK font.`;

/** Printable certificates of issued credentials, for the issuer's staff and for the holder. */
export function certificateRoutes(
  services: Services,
  fontPath: string = process.env['CERTIFICATE_FONT'] ?? DEFAULT_CERTIFICATE_FONT,
): RouteSpec[] {
  const proofs = new HolderProofs(() => services.now());

  /** The caller may print it: the issuer's staff, or the holder proving their DID. */
  async function authorise(
    principal: { orgId: string; role: string } | undefined,
    proof: string | undefined,
    credentialId: string,
  ): Promise<(issuerOrgId: string, stored: unknown) => void> {
    if (principal) {
      if (!(ISSUER_ROLES as readonly string[]).includes(principal.role))
        throw new DomainError('FORBIDDEN_ROLE', `requires one of: ${ISSUER_ROLES.join(', ')}`);
      return (issuerOrgId) => {
        if (issuerOrgId !== principal.orgId)
          throw new DomainError('FORBIDDEN_ORG', 'another organisation issued this credential');
      };
    }
    if (!proof)
      throw new DomainError('UNAUTHENTICATED', "a bearer token or the holder's proof (?proof=) is required");
    const audience = `${services.publicUrl}/credentials/${encodeURIComponent(credentialId)}/certificate.pdf`;
    const { did } = await proofs.verify(proof, { audience });
    return (_issuer, stored) => {
      if (!subjectsOf(credentialContent(stored)).some((s) => s['id'] === did))
        throw new DomainError('FORBIDDEN_ROLE', "the proof is not signed by the credential's holder");
    };
  }

  async function statusOf(credentialId: string): Promise<CredentialStatusRecord['status']> {
    const raw = await services.chaincode.evaluateText(
      services.directory.readerIdentity,
      'credentials:GetCredentialStatus',
      { credentialId },
    );
    return CredentialStatusRecord.parse(JSON.parse(raw)).status;
  }

  return [
    defineRoute({
      method: 'get',
      path: '/credentials/:id/certificate.pdf',
      summary: 'Printable certificate (PDF) of an issued credential, for its issuer or its holder',
      description: DESCRIPTION,
      tag: 'credentials',
      access: 'public',
      query: CertificateQuery,
      responses: {
        200: { description: 'The certificate, A4 PDF', contentType: 'application/pdf' },
        401: { description: 'No token and no proof, or a proof that does not verify (UNAUTHENTICATED)' },
        403: { description: "Another organisation's staff, a non-issuing role, or not the holder's proof" },
        404: { description: 'No credential with that id issued here (CREDENTIAL_NOT_FOUND)' },
        503: { description: 'The CJK font is not installed (CERTIFICATE_UNAVAILABLE)' },
      },
      handle: async ({ req, res, principal }) => {
        const id = CredentialId.safeParse(param(req, 'id'));
        if (!id.success) throw new DomainError('INVALID_ARGUMENT', 'id must be a credential id (a URL)');
        const query = CertificateQuery.safeParse(req.query);
        if (!query.success) throw new DomainError('INVALID_ARGUMENT', 'proof must be a compact JWS');
        const check = await authorise(principal, query.data.proof, id.data);
        const record = await services.store.record(id.data);
        if (!record) throw new DomainError('CREDENTIAL_NOT_FOUND', 'no credential with that id issued here');
        const stored = await services.store.credential(id.data);
        check(record.issuerOrgId, stored);
        const facts = certificateFacts(stored, {
          credentialId: id.data,
          issuerName: (await services.directory.org(record.issuerOrgId)).name,
          status: await statusOf(id.data),
          publicUrl: services.publicUrl,
        });
        let pdf: Buffer;
        try {
          pdf = await renderCertificate(facts, fontPath);
        } catch (error) {
          if (!(error instanceof CertificateFontMissing)) throw error;
          throw new GatewayRefusal(
            503,
            'CERTIFICATE_UNAVAILABLE',
            '证书暂不能生成：服务器未安装中文字体 / certificate unavailable: the server lacks its CJK font',
          );
        }
        res
          .status(200)
          .type('application/pdf')
          .setHeader('Content-Disposition', 'inline; filename="certificate.pdf"')
          .send(pdf);
        return { status: 200, json: undefined };
      },
    }),
  ];
}
