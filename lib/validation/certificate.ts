// A domain's custom certificate (the domain page's upload form) and the ACME settings (settings/certificates).
// The upload's PEM checks live in lib/certificates/pem.ts (they need node:crypto); this is the form's shape.
import { z } from 'zod';

import { checkboxSchema } from './checkbox';
import { hostnameSchema } from './hostname';
import { idSchema } from './ids';
import {
  ACME_DIRECTORY_MAX_LENGTH,
  ACME_EMAIL_MAX_LENGTH,
  CERTIFICATE_CHAIN_MAX_BYTES,
  CERTIFICATE_KEY_MAX_BYTES,
  CLOUDFLARE_TOKEN_MAX_LENGTH,
} from './rules';

const kb = (bytes: number) => `${bytes / 1024} KB`;
const pemText = (what: string, max: number) =>
  z
    .string()
    .refine((text) => text.trim().length > 0, `Paste the ${what}.`)
    .refine((text) => Buffer.byteLength(text, 'utf8') <= max, `The ${what} may be at most ${kb(max)}.`);

export const uploadCertificateSchema = z.object({
  domainId: idSchema('domain'),
  chain: pemText('certificate chain', CERTIFICATE_CHAIN_MAX_BYTES),
  key: pemText('private key', CERTIFICATE_KEY_MAX_BYTES),
});
export type UploadCertificateForm = z.infer<typeof uploadCertificateSchema>;

export const domainRefSchema = z.object({ domainId: idSchema('domain') });

export const ACME_CAS = ['letsencrypt', 'zerossl', 'custom', 'internal'] as const;
export type AcmeCa = (typeof ACME_CAS)[number];

// Quotes, angle brackets, backslashes, whitespace and control characters never reach the proxy's config.
const UNSAFE = /[\s"'<>\\\u0000-\u001f\u007f]/;

export const acmeSettingsSchema = z
  .object({
    acmeEmail: z
      .string()
      .trim()
      .max(ACME_EMAIL_MAX_LENGTH, `At most ${ACME_EMAIL_MAX_LENGTH} characters.`)
      .refine((v) => v === '' || z.email().safeParse(v).success, 'Enter an email address like ops@example.com.'),
    acmeCa: z.enum(ACME_CAS, 'Choose a certificate authority.'),
    acmeDirectoryUrl: z
      .string()
      .trim()
      .max(ACME_DIRECTORY_MAX_LENGTH, `At most ${ACME_DIRECTORY_MAX_LENGTH} characters.`),
    /** Blank: keep the saved token. */
    cloudflareToken: z
      .string()
      .trim()
      .max(CLOUDFLARE_TOKEN_MAX_LENGTH, `At most ${CLOUDFLARE_TOKEN_MAX_LENGTH} characters.`)
      .refine(
        (v) => v === '' || /^[A-Za-z0-9_-]{20,}$/.test(v),
        'A Cloudflare API token is 20 or more letters, digits, - and _ (copy it from My Profile → API Tokens).',
      ),
    clearCloudflareToken: checkboxSchema,
    /** The panel's own name behind the proxy (HTTPS, HSTS); blank: the panel is not served by the proxy. */
    panelDomain: z
      .string('Give the panel domain, or leave it blank.')
      .trim()
      .refine(
        (v) => !v.startsWith('*'),
        'The panel domain is one name, not a wildcard: enter it like panel.example.com.',
      )
      .transform((v, ctx) => {
        if (v === '') return '';
        const parsed = hostnameSchema.safeParse(v);
        if (parsed.success) return parsed.data;
        ctx.addIssue({ code: 'custom', message: parsed.error.issues[0]!.message });
        return z.NEVER;
      }),
  })
  .superRefine((v, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    if (v.acmeCa === 'custom') {
      if (!v.acmeDirectoryUrl) issue('acmeDirectoryUrl', 'Enter the ACME directory URL of your certificate authority.');
      else if (UNSAFE.test(v.acmeDirectoryUrl) || !URL.canParse(v.acmeDirectoryUrl))
        issue('acmeDirectoryUrl', 'Enter a URL like https://acme.example.com/directory.');
      else if (new URL(v.acmeDirectoryUrl).protocol !== 'https:')
        issue('acmeDirectoryUrl', 'The directory URL must start with https:// (ACME is spoken over HTTPS only).');
    }
    if (v.acmeCa === 'zerossl' && !v.acmeEmail)
      issue('acmeEmail', 'ZeroSSL needs an account email: enter one, or choose another authority.');
    if (v.cloudflareToken && v.clearCloudflareToken)
      issue('cloudflareToken', 'Either enter a new token or clear the saved one, not both.');
  })
  .transform((v) => ({ ...v, acmeDirectoryUrl: v.acmeCa === 'custom' ? v.acmeDirectoryUrl : '' }));
export type AcmeSettingsInput = z.input<typeof acmeSettingsSchema>;
