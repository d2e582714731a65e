// Environment variables: what a person may submit for one variable, a bulk paste, or a reveal. Shared by the
// Environment tab's forms, their actions, the .env parser and lib/env-vars (which parses again). The database checks
// the key format too (check_env_key_format), so a key this file lets through is one PostgreSQL stores.
import { z } from 'zod';

import { applicationIdSchema } from './application';
import { checkboxSchema } from './checkbox';
import { describeCharacter, preview } from './names';
import { ENV_KEY_MAX, ENV_KEY_RULE } from './rules';

export { ENV_KEY_MAX, ENV_KEY_RULE } from './rules';
/** A value's size limit in UTF-8 bytes: enough for a certificate chain or a JSON credential, not for a file. */
export const ENV_VALUE_MAX_BYTES = 64 * 1024;
/** A bulk paste: up to this many bytes of .env text and this many variables. */
export const DOTENV_MAX_BYTES = 1024 * 1024;
export const DOTENV_MAX_ENTRIES = 1000;

export const ENV_KEY_PATTERN = /^[A-Z_][A-Z0-9_]*$/;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const INVISIBLE = /\p{Cf}/gu;

/**
 * The key a person probably meant (`my-key` → `MY_KEY`, `2FA` → `_2FA`), or null when nothing sensible is left
 * (a key of only look-alike letters, say): a suggestion must itself be a valid key.
 */
export function suggestEnvKey(value: string): string | null {
  // é → e, ﬁ → fi; zero-width characters go. Whatever is still not ASCII then was never a Latin letter.
  const folded = value
    .normalize('NFKD')
    .replace(INVISIBLE, '')
    .replace(/[\u0300-\u036f]/g, '')
    .trim();
  // Look-alike letters (Cyrillic А, Greek Ε) would become underscores: guessing then misleads more than it helps.
  if (/[^\x00-\x7F]/.test(folded.replace(/[^\p{L}]/gu, ''))) return null;
  const upper = folded.toUpperCase().replace(/[^A-Z0-9_]+/g, '_');
  if (!/[A-Z0-9]/.test(upper)) return null;
  const key = /^[0-9]/.test(upper) ? `_${upper}` : upper;
  return ENV_KEY_PATTERN.test(key) && key.length <= ENV_KEY_MAX && key !== value ? key : null;
}

/**
 * Names that are valid but not a variable's to take (D70). Slipway sets nothing in containers today; the prefix is
 * kept so that what it sets later cannot collide with a stored variable, nor be mistaken for one.
 */
export const RESERVED_ENV_PREFIX = 'SLIPWAY_';

/** Names a variable may take, but that replace something Docker or the image sets: saved, with this said (D70). */
export const ENV_KEY_CAUTIONS: Readonly<Record<string, string>> = {
  PATH:
    "PATH replaces the image's whole search path for programs ($PATH is not expanded here): list every directory, " +
    'for example /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin plus your own, or the programs the ' +
    'image runs may no longer be found.',
  HOME:
    "HOME replaces the home directory Docker sets from the image's user: programs look for their settings and " +
    'caches there, so it must exist and be writable by that user.',
  HOSTNAME:
    "Docker sets HOSTNAME to the container's host name; this replaces the variable, not the host name. Servers " +
    'that read it as the address to listen on (Next.js does) listen there: 0.0.0.0 means every address.',
};

/** What a person should know about a valid name before relying on it; null for most names. */
export function envKeyCaution(key: string): string | null {
  return Object.hasOwn(ENV_KEY_CAUTIONS, key) ? ENV_KEY_CAUTIONS[key]! : null;
}

/**
 * Why `value` is not a valid key, in words a person can act on; null when it is valid. A key written (`'write'`, the
 * default: the form, the .env import) may not take a reserved name; one that only names a stored variable
 * (`'refer'`: delete, reveal) may, so a variable stored before a name was reserved can still be removed.
 */
export function envKeyProblem(value: string, use: 'write' | 'refer' = 'write'): string | null {
  if (value === '') return `Give the variable a name. ${ENV_KEY_RULE}`;
  if (value.length > ENV_KEY_MAX) return `That name is ${value.length} characters long. ${ENV_KEY_RULE}`;
  if (ENV_KEY_PATTERN.test(value)) return use === 'write' ? reservedEnvKeyProblem(value) : null;
  const suggestion = suggestEnvKey(value);
  const foreign = /[^\x00-\x7F]/.test(value) ? ' It contains characters outside ASCII (look-alike letters count).' : '';
  // The echo shows a control character as �, so one the person cannot see is named as well.
  const unseen = [...value].find((char) => /[\p{C}\p{Z}]/u.test(char));
  const named = unseen ? ` It contains ${describeCharacter(unseen)}.` : '';
  const hint = suggestion ? ` Did you mean ${suggestion}?` : '';
  return `“${preview(value)}” is not a valid variable name.${named}${foreign} ${ENV_KEY_RULE}${hint}`;
}

function reservedEnvKeyProblem(key: string): string | null {
  if (!key.startsWith(RESERVED_ENV_PREFIX)) return null;
  const rest = key.slice(RESERVED_ENV_PREFIX.length);
  const instead = rest ? ` (for example APP_${rest})` : '';
  return `${key} starts with ${RESERVED_ENV_PREFIX}, which is kept for Slipway's own variables in containers. Choose another name${instead}.`;
}

const keySchema = (use: 'write' | 'refer') =>
  z
    .string('Give the variable a name.')
    .trim()
    .superRefine((value, ctx) => {
      const problem = envKeyProblem(value, use);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    });

/** A variable name to write. Surrounding spaces are dropped (a paste often has them); anything else must be valid. */
export const envKeySchema = keySchema('write');
/** The name of a stored variable (delete, reveal, the secret-key list of a paste): a reserved one is still a name. */
export const envKeyRefSchema = keySchema('refer');

/** Why `value` cannot be stored as a variable's value; null when it can. Any text is fine, line breaks included. */
export function envValueProblem(value: string): string | null {
  const bytes = new TextEncoder().encode(value).length;
  if (bytes > ENV_VALUE_MAX_BYTES) {
    return `A value has at most 64 KB; this one is ${Math.ceil(bytes / 1024)} KB. Mount large files as a volume instead.`;
  }
  // PostgreSQL text cannot hold NUL, and processes cannot receive it in their environment either.
  if (value.includes('\0')) return 'A value cannot contain the NUL character (\\0).';
  if (LONE_SURROGATE.test(value)) return 'A value must be well-formed Unicode (it contains a lone surrogate).';
  return null;
}

/** A value, kept exactly as given (spaces and line breaks matter in values). */
export const envValueSchema = z.string('Give the variable a value (it may be empty).').superRefine((value, ctx) => {
  const problem = envValueProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

/** "This is a secret": a checkbox. */
export const envSecretFlagSchema = checkboxSchema;

/** Browsers submit a textarea's line breaks as CRLF; a value typed in the form means LF (a PEM key, a JSON blob). */
export const fromTextarea = (value: string) => value.replace(/\r\n?/g, '\n');

export const setEnvVarSchema = z.object({
  applicationId: applicationIdSchema,
  key: envKeySchema,
  value: envValueSchema,
  isSecret: envSecretFlagSchema,
  /** 'create' refuses an existing key (the add form); 'update' requires one (the edit form). */
  mode: z.enum(['create', 'update'], { message: 'Reload the page and try again.' }),
});
export type SetEnvVarInput = z.input<typeof setEnvVarSchema>;

export const envVarRefSchema = z.object({ applicationId: applicationIdSchema, key: envKeyRefSchema });
export type EnvVarRefInput = z.input<typeof envVarRefSchema>;

export const BULK_MODES = ['merge', 'replace'] as const;
export type BulkMode = (typeof BULK_MODES)[number];

/** Keys typed as a list: commas, spaces or line breaks between them. */
const secretKeyListSchema = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((value) =>
    (Array.isArray(value) ? value : (value ?? '').split(/[\s,]+/)).map((key) => key.trim()).filter(Boolean),
  )
  .pipe(z.array(envKeyRefSchema).max(DOTENV_MAX_ENTRIES, `At most ${DOTENV_MAX_ENTRIES} keys.`));

export const bulkApplySchema = z.object({
  applicationId: applicationIdSchema,
  text: z
    .string('Paste the .env text.')
    .refine((text) => new TextEncoder().encode(text).length <= DOTENV_MAX_BYTES, 'A paste has at most 1 MB of text.'),
  mode: z.enum(BULK_MODES, { message: 'Choose merge or replace.' }),
  secretKeys: secretKeyListSchema,
});
export type BulkApplyInput = z.input<typeof bulkApplySchema>;
