'use server';

// A domain's custom certificate: upload (checked, key encrypted, proxy asked to sync after the commit) and removal.
// The private key is never echoed back to the form.
import { formAction, type Revalidation } from '@/lib/actions/form-action';
import { removeCustomCertificate, uploadCustomCertificate } from '@/lib/certificates/mutations';
import { domainRefSchema, uploadCertificateSchema } from '@/lib/validation/certificate';

const PAGES: Revalidation[] = [
  ['/projects/[projectId]/apps/[appId]/domains/[domainId]', 'page'],
  ['/projects/[projectId]/apps/[appId]/domains', 'page'],
];

export const uploadCertificateAction = formAction({
  schema: uploadCertificateSchema,
  keys: ['domainId', 'chain', 'key'],
  echo: ['domainId', 'chain'],
  call: (db, ctx, input) => uploadCustomCertificate(db, ctx, input),
  revalidate: PAGES,
  success: (view) => ({
    message: `Uploaded: ${view.issuer}'s certificate for ${view.subjects.join(', ')}, valid until ${view.expiresAt.toISOString().slice(0, 10)}. The proxy serves it within seconds.`,
    values: {},
  }),
});

export const removeCertificateAction = formAction({
  schema: domainRefSchema,
  keys: ['domainId'],
  stale: true,
  call: (db, ctx, input) => removeCustomCertificate(db, ctx, input),
  revalidate: PAGES,
  success: 'Removed: the proxy issues a certificate of its own for this domain.',
});
