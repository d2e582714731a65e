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

// Characters a person types but cannot see in a message are named the way they would say them: a line break is what
// Enter (or a pasted CRLF) gives, whether it arrives as LF, CR, NEL or Unicode's line and paragraph separators.
const LINE_BREAKS = new Set(['\n', '\r', '\u0085', '\u2028', '\u2029']);
const SPOKEN: Record<string, string> = { '\t': 'a tab', ' ': 'a space', '\0': 'a NUL character' };
// Controls, format characters (zero-width, bidirectional), unassigned and private-use code points, separators other
// than the space, and combining marks on their own: quoting any of them would show nothing, or the wrong thing.
const INVISIBLE = /^[\p{C}\p{Z}\p{M}]$/u;

/**
 * One character (a code point) as a message should name it: “a line break”, “a tab”, “a space”, “a NUL character”;
 * another invisible one by its code point (“the invisible character U+200B”); a visible one quoted, with its code
 * point too when it is not ASCII, since a look-alike (Cyrillic “а”) reads as the letter it imitates.
 */
export function describeCharacter(char: string): string {
  if (LINE_BREAKS.has(char)) return 'a line break';
  const spoken = SPOKEN[char];
  if (spoken) return spoken;
  const code = char.codePointAt(0) ?? 0;
  const hex = `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  if (INVISIBLE.test(char)) return `the invisible character ${hex}`;
  return code <= 0x7e ? `“${char}”` : `“${char}” (${hex})`;
}

/** A short, printable echo of what was typed, for messages (no control characters, bounded length). */
export function preview(value: string, max = 40): string {
  const printable = value.replace(/\p{Cc}/gu, '�');
  return printable.length > max ? `${printable.slice(0, max)}…` : printable;
}
