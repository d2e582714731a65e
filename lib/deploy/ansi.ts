// ANSI colours of build and runtime output, turned into plain segments on the server (with the `anser` library),
// so the browser receives data, never escape codes or HTML, and ships no parser: the log viewer only renders spans.
import Anser from 'anser';

export type LogSegment = {
  text: string;
  fg?: string;
  bg?: string;
  bold?: true;
  dim?: true;
  italic?: true;
  underline?: true;
};

const ESC = '\u001b';
// Escape sequences anser does not render (cursor moves, erase line, OSC titles) would otherwise show as garbage.
const OTHER_SEQUENCES = /\u001b\[[0-9;?]*[A-HJKSTfhlnsu]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)/g;

/** Segments of one line; a line without escape codes is one plain segment (the common case costs nothing). */
export function ansiSegments(line: string): LogSegment[] {
  if (!line.includes(ESC)) return [{ text: line }];
  const entries = Anser.ansiToJson(line.replace(OTHER_SEQUENCES, ''), { remove_empty: true, use_classes: false });
  return entries.map((entry) => {
    const segment: LogSegment = { text: entry.content };
    if (entry.fg) segment.fg = `rgb(${entry.fg})`;
    if (entry.bg) segment.bg = `rgb(${entry.bg})`;
    for (const decoration of entry.decorations ?? []) {
      if (decoration === 'bold') segment.bold = true;
      else if (decoration === 'dim') segment.dim = true;
      else if (decoration === 'italic') segment.italic = true;
      else if (decoration === 'underline') segment.underline = true;
    }
    return segment;
  });
}

/** The text of a line without any escape codes (for search and download). */
export function stripAnsi(line: string): string {
  return ansiSegments(line)
    .map((segment) => segment.text)
    .join('');
}
