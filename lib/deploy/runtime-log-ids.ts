// Ids of runtime log lines. Docker stamps each line in nanoseconds; a line's id is that time in microseconds followed
// by three digits counting the lines of the same microsecond in the stream (`${micros}${seq:000}`, 19 digits), so
// lines that share a timestamp still get ids in order and a reconnect can name the exact line it last had. A resume
// replays Docker's log from that line's second and numbers the lines again the same way, so the ids it skips and
// the ids it sends are the ones the first stream gave: no gap, no repeat. (Across replicas the order is the one
// Docker sends; a line older than the one before it takes the previous line's microsecond.)

export type LogCursor = { micros: number; seq: number };

const PER_MICROSECOND = 1000;

/** The id on the wire: decimal, so ids compare by length, then text. */
export function formatLogId({ micros, seq }: LogCursor): string {
  return `${micros}${String(seq).padStart(3, '0')}`;
}

/** A Last-Event-ID this stream gave out, else null. */
export function parseLogId(id: string | null | undefined): LogCursor | null {
  const match = /^(\d{1,16})(\d{3})$/.exec(id?.trim() ?? '');
  if (!match) return null;
  const cursor = { micros: Number(match[1]), seq: Number(match[2]) };
  return cursor.micros > 0 ? cursor : null;
}

/** Whether `cursor` comes after `after`. */
export function isAfter(cursor: LogCursor, after: LogCursor): boolean {
  return cursor.micros > after.micros || (cursor.micros === after.micros && cursor.seq > after.seq);
}

/** RFC 3339 with up to nanoseconds → whole microseconds since the epoch; null when it is not such a time. */
export function micros(time: string | undefined): number | null {
  const match = time ? /^(.*?)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(time) : null;
  if (!match) return null;
  const ms = Date.parse(`${match[1]}${match[3]}`);
  if (Number.isNaN(ms)) return null;
  return ms * 1000 + Number((match[2] ?? '').padEnd(6, '0').slice(0, 6));
}

/** Numbers the lines of one stream, in the order they come. */
export function logIds(): (at: number | null) => LogCursor {
  let last: LogCursor = { micros: 0, seq: -1 };
  return (at) => {
    if (at !== null && at > last.micros) last = { micros: at, seq: 0 };
    else if (last.seq + 1 < PER_MICROSECOND) last = { micros: last.micros, seq: last.seq + 1 };
    // A thousand lines in one microsecond: the next one takes the next microsecond, still after every earlier id.
    else last = { micros: last.micros + 1, seq: 0 };
    return last;
  };
}
