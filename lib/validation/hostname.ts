// Domains as a person types them, made into the one form the database stores (check_domain_format): trimmed,
// lower-case, no trailing dot, internationalised labels as punycode (xn--). Refusals say what to change, and point a
// path, a scheme or a port to the field that takes it. Look-alike labels (Latin and Cyrillic letters in one label,
// "pаypal") are refused naming their punycode, which is what the certificate and the address bar would show.
import { domainToASCII, domainToUnicode } from 'node:url';

import { z } from 'zod';

import { describeCharacter, preview } from './names';

export const HOSTNAME_MAX = 253;
export const LABEL_MAX = 63;
export const PATH_PREFIX_MAX = 255;

const EXAMPLE = 'for example example.com, www.example.com or *.example.com';
const LINE_BREAKS = /[\n\r\u0085\u2028\u2029]/;
const CONTROL = /[\p{Cc}\p{Cf}]/u;
// What the database accepts (check_domain_format), checked last so nothing this file lets through fails an INSERT.
const STORED = /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+([a-z]{2,63}|xn--[a-z0-9-]{1,59})$/;

// Scripts a look-alike is made of. A label may mix Han with Hiragana/Katakana (Japanese) or with Hangul (Korean),
// and any script with digits and hyphens; any other pair in one label is refused.
const SCRIPTS = [
  'Latin',
  'Cyrillic',
  'Greek',
  'Armenian',
  'Georgian',
  'Hebrew',
  'Arabic',
  'Devanagari',
  'Thai',
  'Han',
  'Hiragana',
  'Katakana',
  'Hangul',
] as const;
const SCRIPT_TESTS = SCRIPTS.map((name) => [name, new RegExp(`^\\p{Script=${name}}$`, 'u')] as const);
const COMPATIBLE: string[][] = [
  ['Han', 'Hiragana', 'Katakana'],
  ['Han', 'Hangul'],
];

function scriptsOf(label: string): Set<string> {
  const found = new Set<string>();
  for (const char of label) {
    if (!/\p{L}/u.test(char)) continue;
    const script = SCRIPT_TESTS.find(([, test]) => test.test(char));
    found.add(script ? script[0] : 'Other');
  }
  return found;
}

function mixesScripts(label: string): boolean {
  const scripts = [...scriptsOf(label)];
  if (scripts.length < 2) return false;
  return !COMPATIBLE.some((group) => scripts.every((s) => group.includes(s)));
}

export type Hostname = { ascii: string } | { problem: string };

/** The stored (ASCII, punycode) form of what was typed, or what to fix in it. */
export function normalizeHostname(typed: string): Hostname {
  const problem = (text: string) => ({ problem: text });
  const lineBreak = typed.match(LINE_BREAKS);
  if (lineBreak) return problem('A domain cannot contain a line break: enter it on one line.');
  const control = [...typed].find((char) => CONTROL.test(char));
  if (control) return problem(`A domain cannot contain ${describeCharacter(control)}: type the name again.`);
  let value = typed.trim().toLowerCase();
  if (value === '') return problem(`Give a domain, ${EXAMPLE}.`);
  const scheme = value.match(/^([a-z][a-z0-9+.-]*):\/\//);
  if (scheme)
    return problem(
      `Enter the domain without the scheme: ${preview(value.slice(scheme[0].length).split('/')[0]!)}, not ${scheme[1]}://….`,
    );
  if (value.includes('/')) {
    return problem(
      `A domain cannot contain a path: enter ${preview(value.split('/')[0]!)} here and put the path in Path prefix.`,
    );
  }
  const port = value.match(/:(\d*)$/);
  if (port && !value.slice(0, port.index).includes(':')) {
    return problem(
      `A domain cannot contain a port: enter ${preview(value.slice(0, port.index))} here; the port goes in Container port.`,
    );
  }
  const bad = [...value].find((char) => /[\s"'`<>\\:@?#,;=!$&()[\]{}|^_+~%]/u.test(char));
  if (bad) return problem(`A domain cannot contain ${describeCharacter(bad)}: use letters, digits, hyphens and dots.`);
  if (value.endsWith('.')) value = value.slice(0, -1);

  let wildcard = false;
  if (value.startsWith('*.') || value === '*') {
    wildcard = true;
    value = value.slice(2);
    if (value === '') return problem('Add the domain after *. — for example *.example.com.');
  }
  if (value.includes('*')) {
    return problem('A wildcard * can only be the whole first label, as in *.example.com (one level, one *).');
  }
  const labels = value.split('.');
  if (labels.some((label) => label === '')) {
    return problem(
      `“${preview(typed.trim())}” has an empty label (two dots together, or a leading dot): remove the extra dot.`,
    );
  }

  const ascii: string[] = [];
  for (const label of labels) {
    const isAscii = /^[\x20-\x7e]*$/.test(label);
    const encoded = isAscii ? label : domainToASCII(label);
    if (encoded === '' || (encoded.startsWith('xn--') && domainToUnicode(encoded) === '')) {
      return problem(`“${preview(label)}” is not a valid internationalised label: check the spelling.`);
    }
    const shown = encoded.startsWith('xn--') ? domainToUnicode(encoded) : encoded;
    if (shown.startsWith('-') || shown.endsWith('-') || encoded.startsWith('-') || encoded.endsWith('-')) {
      return problem(
        `The label “${preview(shown)}” starts or ends with a hyphen: a label starts and ends with a letter or digit.`,
      );
    }
    if (encoded.length > LABEL_MAX) {
      return problem(
        `The label “${preview(shown, 20)}” is ${encoded.length} characters long${encoded === label ? '' : ' as punycode'}: a label has at most ${LABEL_MAX}.`,
      );
    }
    if (mixesScripts(shown)) {
      return problem(
        `The label “${shown}” (${encoded}) mixes letters of different scripts, the way look-alike names do: type it again in one script.`,
      );
    }
    ascii.push(encoded);
  }
  const name = ascii.join('.');
  const full = wildcard ? `*.${name}` : name;
  if (full.length > HOSTNAME_MAX) {
    return problem(`That domain is ${full.length} characters long: a domain has at most ${HOSTNAME_MAX}.`);
  }
  if (ascii.length < 2) {
    return problem(`Add the top-level domain: a domain has at least two labels, ${EXAMPLE}.`);
  }
  const tld = ascii[ascii.length - 1]!;
  if (/^[0-9]+$/.test(tld)) {
    return problem(`The last label “${tld}” is a number: an IP address cannot be a domain here; ${EXAMPLE}.`);
  }
  if (!/^([a-z]{2,63}|xn--[a-z0-9-]{1,59})$/.test(tld)) {
    return problem(`The top-level label “${tld}” must be at least two letters (like com or de), without digits.`);
  }
  if (!STORED.test(full)) return problem(`“${preview(typed.trim())}” is not a domain name, ${EXAMPLE}.`);
  return { ascii: full };
}

/** How a stored domain reads to a person: Unicode labels where it has punycode ones (the same string otherwise). */
export function displayHostname(ascii: string): string {
  const wildcard = ascii.startsWith('*.');
  const rest = wildcard ? ascii.slice(2) : ascii;
  const unicode = domainToUnicode(rest) || rest;
  return wildcard ? `*.${unicode}` : unicode;
}

/** A domain as typed, out as stored (ASCII, punycode labels). Parsing the output again gives it back unchanged. */
export const hostnameSchema = z.string('Give a domain.').transform((value, ctx) => {
  const result = normalizeHostname(value);
  if ('problem' in result) {
    ctx.addIssue({ code: 'custom', message: result.problem });
    return z.NEVER;
  }
  return result.ascii;
});

/** The www <-> apex partner of a domain (www.example.com <-> example.com), or null for a wildcard or a bare TLD+1 www. */
export function partnerHostname(ascii: string): string | null {
  if (ascii.startsWith('*.')) return null;
  if (ascii.startsWith('www.')) {
    const apex = ascii.slice(4);
    return apex.includes('.') ? apex : null;
  }
  const www = `www.${ascii}`;
  return www.length <= HOSTNAME_MAX ? www : null;
}

export const PATH_PREFIX_RULE =
  'Start with / and use letters, digits and . _ ~ % - between single slashes, for example / or /api.';
const PATH_CHARACTER = /^[A-Za-z0-9._~%/-]$/;
// The database's check_domain_path_prefix.
const PATH_STORED = /^\/[A-Za-z0-9._~%-]*(\/[A-Za-z0-9._~%-]+)*\/?$/;

/** The first thing wrong with a path prefix, or null. */
export function pathPrefixProblem(path: string): string | null {
  if (path.length > PATH_PREFIX_MAX)
    return `That path prefix is too long (${path.length} characters, at most ${PATH_PREFIX_MAX}).`;
  const bad = [...path].find((char) => !PATH_CHARACTER.test(char));
  if (bad !== undefined) return `A path prefix cannot contain ${describeCharacter(bad)}. ${PATH_PREFIX_RULE}`;
  if (!path.startsWith('/')) return `Start the path prefix with /: write /${preview(path)}.`;
  if (path.includes('//')) return 'A path prefix cannot contain // (an empty segment): write single slashes.';
  if (path.split('/').some((segment) => segment === '.' || segment === '..')) {
    return 'A path prefix cannot contain . or .. segments: write the path itself, without them.';
  }
  if (/%(?![0-9A-Fa-f]{2})/.test(path)) return 'A % in a path prefix starts an escape such as %20: write it as %25.';
  if (!PATH_STORED.test(path)) return PATH_PREFIX_RULE;
  return null;
}

/** Blank means every path ('/'). Not trimmed: a space is refused, not dropped. */
export const pathPrefixSchema = z
  .string('Give a path prefix, or leave it blank for every path.')
  .optional()
  .transform((value, ctx) => {
    const path = value === undefined || value === '' ? '/' : value;
    const problem = pathPrefixProblem(path);
    if (problem) {
      ctx.addIssue({ code: 'custom', message: problem });
      return z.NEVER;
    }
    return path;
  });

const PORT_RULE = 'Give the container port as a whole number from 1 to 65535, or leave it blank for the first port.';

/** Blank (or null) means the target's first port. Forms send text: only plain digits are read as a number. */
export const containerPortSchema = z.preprocess((value) => {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value === 'string' && /^\s*[0-9]{1,5}\s*$/.test(value)) return Number(value);
  return value;
}, z.number(PORT_RULE).int(PORT_RULE).min(1, PORT_RULE).max(65535, PORT_RULE).nullable());
