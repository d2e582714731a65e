// The one wire shape of a log line, for the deployment log and the runtime log alike, so the viewer reads one
// format (components/log-viewer.tsx). The id is a decimal string: a deployment_logs row id (bigint), or a runtime
// line's time and place in its microsecond (./runtime-log-ids.ts); either orders the lines, and Last-Event-ID hands
// it back on reconnect.
import { encodeEvent } from '@/lib/http/sse';

import { ansiSegments, type LogSegment } from './ansi';

export type LogLineData = {
  id: string;
  level: string;
  message: string;
  /** ISO 8601; absent when the source gave no time. */
  createdAt?: string;
  /** Only for a line with ANSI colours: parsed here, so the browser renders data and ships no ANSI parser. */
  segments?: LogSegment[];
};

/** A `log` event whose SSE id is the line's id. */
export function logLineEvent(line: Omit<LogLineData, 'segments'>): string {
  const { id, level, message, createdAt } = line;
  const segments = message.includes('\u001b') ? ansiSegments(message) : undefined;
  return encodeEvent({ id, event: 'log', data: { id, level, message, createdAt, segments } satisfies LogLineData });
}
