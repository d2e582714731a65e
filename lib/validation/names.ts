// Names that become Docker objects. An application's name becomes (part of) its Swarm service name and its DNS name
// on the project's overlay network, so it follows the strictest of those rules: a DNS label. Checked at the edge by
// these schemas; the engine still passes names to Docker as data, never through a shell.
import { z } from 'zod';

/** Docker's own rule for volume names (also a CHECK on volumes.name). */
import { VOLUME_NAME_RULE } from './rules';

export const DOCKER_NAME_MAX = 63;
export const DOCKER_NAME_RULE =
  'Use 1 to 63 characters: lowercase letters a–z, digits 0–9 and hyphens (-), starting and ending with a letter or digit.';

// ASCII only on purpose: look-alike letters (Cyrillic а, fullwidth ａ) and invisible characters are refused.
const DNS_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** An application (or other Swarm-facing) name: a DNS label, lowercase. Not trimmed: what is shown is what is stored. */
export const dockerNameSchema = z
  .string('Give it a name.')
  .min(1, `Give it a name. ${DOCKER_NAME_RULE}`)
  .max(DOCKER_NAME_MAX, `That name is too long. ${DOCKER_NAME_RULE}`)
  .superRefine((value, ctx) => {
    if (DNS_LABEL.test(value)) return;
    const upper = /[A-Z]/.test(value) ? ' Uppercase letters are not allowed: Docker service names are lowercase.' : '';
    ctx.addIssue({ code: 'custom', message: `“${preview(value)}” is not a valid name.${upper} ${DOCKER_NAME_RULE}` });
  });

export { VOLUME_NAME_RULE } from './rules';
export const volumeNameSchema = z
  .string('Give the volume a name.')
  .regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/, VOLUME_NAME_RULE)
  .max(255, VOLUME_NAME_RULE);

/** A short, printable echo of what was typed, for messages (no control characters, bounded length). */
export function preview(value: string, max = 40): string {
  const printable = value.replace(/\p{Cc}/gu, '�');
  return printable.length > max ? `${printable.slice(0, max)}…` : printable;
}
