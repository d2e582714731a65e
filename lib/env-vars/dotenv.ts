// The .env format as the Environment tab reads and writes it. Pure (no I/O), so the bulk editor, the export route and
// the tests share one definition:
//   KEY=value            unquoted: trimmed; ` #` starts a comment; no escapes
//   KEY='value'          literal: everything up to the next ' (line breaks too)
//   KEY="a\nb \"q\" \\"  escapes \n \r \t \" \\ (any other backslash stays as typed); may span lines
//   export KEY=value     the shell's prefix is accepted and dropped
//   # comment, blank lines
// Values are never expanded (`$OTHER` stays as typed): the panel stores text, and the container receives that text.
// Every bad line is reported with its number; the caller saves nothing unless `errors` is empty.
import { DOTENV_MAX_ENTRIES, envKeyProblem, envValueProblem } from '@/lib/validation/env';

export type DotenvEntry = { key: string; value: string; line: number };
export type DotenvError = { line: number; message: string };
export type DotenvResult = { entries: DotenvEntry[]; errors: DotenvError[] };

type Quoted = { value: string; endLine: number; rest: string } | { unterminated: true };

const QUOTE_NAME = { "'": 'single', '"': 'double' } as const;

/** Reads a quoted value starting just after its opening quote, at `lines[index]` column `from`. */
function readQuoted(lines: string[], index: number, from: number, quote: "'" | '"'): Quoted {
  let value = '';
  for (let i = index, col = from; i < lines.length; i += 1, col = 0) {
    const text = lines[i]!;
    for (let c = col; c < text.length; c += 1) {
      const ch = text[c]!;
      if (ch === quote) return { value, endLine: i, rest: text.slice(c + 1) };
      if (quote === '"' && ch === '\\' && c + 1 < text.length) {
        const next = text[c + 1]!;
        const escaped = ({ n: '\n', r: '\r', t: '\t', '"': '"', '\\': '\\' } as Record<string, string>)[next];
        value += escaped ?? `\\${next}`;
        c += 1;
        continue;
      }
      value += ch;
    }
    if (i + 1 < lines.length) value += '\n';
  }
  return { unterminated: true };
}

export function parseDotenv(input: string): DotenvResult {
  const lines = input.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  const entries: DotenvEntry[] = [];
  const errors: DotenvError[] = [];
  const seen = new Map<string, number>();

  for (let index = 0; index < lines.length; index += 1) {
    const line = index + 1;
    const text = lines[index]!.replace(/^[ \t]+/, '');
    if (text === '' || text.startsWith('#')) continue;

    const body = text.replace(/^export[ \t]+/, '');
    const equals = body.indexOf('=');
    if (equals < 0) {
      errors.push({
        line,
        message: `Line ${line}: expected KEY=value, but there is no “=”. Add one, or start the line with # to make it a comment.`,
      });
      continue;
    }
    const key = body.slice(0, equals).trim();
    const keyProblem = envKeyProblem(key);
    const raw = body.slice(equals + 1);
    const after = raw.replace(/^[ \t]+/, '');

    let value: string;
    const quote = after[0];
    if (quote === "'" || quote === '"') {
      // `after` is a suffix of the line as written, so its position there is where the value starts.
      const read = readQuoted(lines, index, lines[index]!.length - after.length + 1, quote);
      if ('unterminated' in read) {
        const name = keyProblem ? 'this line' : key;
        errors.push({
          line,
          message: `Line ${line}: the ${QUOTE_NAME[quote]}-quoted value of ${name} is never closed. Add the closing ${quote}${quote === '"' ? ' (write a quote inside the value as \\")' : ''}.`,
        });
        break; // The rest of the text was read as part of this value: nothing after it can be trusted.
      }
      const trailing = read.rest.trim();
      if (trailing !== '' && !trailing.startsWith('#')) {
        const where =
          read.endLine === index
            ? 'after its closing quote'
            : `after the quote that closes it on line ${read.endLine + 1}`;
        const closed = read.endLine === index ? '' : ` Is a closing ${quote} missing on line ${line}?`;
        errors.push({
          line,
          message: `Line ${line}: unexpected text ${where}: “${trailing.slice(0, 20)}”. Put the whole value inside the quotes.${closed}`,
        });
        index = read.endLine;
        continue;
      }
      value = read.value;
      index = read.endLine;
    } else {
      const comment = raw.search(/[ \t]#/);
      value = (comment < 0 ? raw : raw.slice(0, comment)).trim();
    }

    if (keyProblem) {
      errors.push({ line, message: `Line ${line}: ${keyProblem}` });
      continue;
    }
    const valueProblem = envValueProblem(value);
    if (valueProblem) {
      errors.push({ line, message: `Line ${line}: the value of ${key} is not allowed. ${valueProblem}` });
      continue;
    }
    const first = seen.get(key);
    if (first !== undefined) {
      errors.push({
        line,
        message: `Line ${line}: ${key} is already set on line ${first}. Keep one of the two lines.`,
      });
      continue;
    }
    seen.set(key, line);
    entries.push({ key, value, line });
  }

  if (entries.length > DOTENV_MAX_ENTRIES) {
    errors.push({
      line: entries[DOTENV_MAX_ENTRIES]!.line,
      message: `At most ${DOTENV_MAX_ENTRIES} variables at once; this text has ${entries.length}.`,
    });
  }
  return { entries, errors };
}

export type DotenvItem = { key: string; value: string } | { comment: string };

// Characters that mean the same to every .env reader unquoted (dotenv, docker compose, a shell's `source`).
const PLAIN = /^[A-Za-z0-9_./:@%+,=~^-]*$/;

/** One `KEY=value` line that parseDotenv reads back as exactly `value`. */
export function formatDotenvLine(key: string, value: string): string {
  if (PLAIN.test(value)) return `${key}=${value}`;
  // Single quotes are literal everywhere (no $ expansion by other tools), when the value allows them.
  if (!/['\r\n]/.test(value)) return `${key}='${value}'`;
  const escaped = value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
  return `${key}="${escaped}"`;
}

/** .env text for these variables and comment lines; ends with a line break. */
export function serializeDotenv(items: readonly DotenvItem[]): string {
  const lines = items.map((item) =>
    'comment' in item ? `# ${item.comment.replace(/[\r\n]+/g, ' ')}` : formatDotenvLine(item.key, item.value),
  );
  return lines.length ? `${lines.join('\n')}\n` : '';
}
