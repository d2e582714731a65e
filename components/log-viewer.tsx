'use client';

// A live log over server-sent events: build output of a deployment, or a service's runtime log, both in one line
// shape (lib/deploy/log-event.ts). Lines arrive as `log` events whose id orders them; the browser's EventSource
// resends the last id when it reconnects, and lines at or below the last one shown are ignored, so a reconnect never
// shows a gap or a duplicate. Ids are decimal strings compared as numbers of any length (a runtime line's id has 19
// digits, beyond what a JavaScript number holds exactly). A `skipped` event (lines the server held back from a flood,
// lib/deploy/live-log-limit.ts) is shown as a line of its own saying how many. Colours come as segments parsed on the server (lib/deploy/ansi.ts): nothing here
// interprets escape codes or HTML.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';

import type { LogSegment } from '@/lib/deploy/ansi';
import type { LogLineData } from '@/lib/deploy/log-event';

import { Button } from './ui/button';
import { Input } from './ui/input';

export type LogLine = { id: string; level: string; text: string; segments?: LogSegment[]; at?: string };

const SHOWN_MAX = 10_000;
const STICK_PX = 24;

function toLine(wire: LogLineData): LogLine {
  // The text without escape codes (search and download), which the segments carry when there were any.
  const text = wire.segments ? wire.segments.map((s) => s.text).join('') : wire.message;
  return { id: String(wire.id), level: wire.level, text, segments: wire.segments, at: wire.createdAt };
}

const DECIMAL = /^\d{1,30}$/;

/** Orders two decimal ids without leading zeros: the longer is larger, else the text decides. */
function compareIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

function skippedText(count: number): string {
  const lines = count === 1 ? '1 line' : `${count.toLocaleString('en')} lines`;
  return `… ${lines} skipped (written too fast to show here; Docker keeps the service’s full log)`;
}

export function LogViewer({
  source,
  downloadName,
  onStatus,
  emptyText = 'Waiting for output…',
}: {
  source: string;
  downloadName: string;
  onStatus?: (status: string, final: boolean) => void;
  emptyText?: string;
}) {
  const [lines, setLines] = useState<LogLine[]>([]);
  const [state, setState] = useState<'connecting' | 'live' | 'reconnecting' | 'ended'>('connecting');
  const [query, setQuery] = useState('');
  const [paused, setPaused] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const box = useRef<HTMLDivElement>(null);
  const lastId = useRef('0');
  const pending = useRef<LogLine[]>([]);
  const frame = useRef<number | null>(null);
  const statusRef = useRef(onStatus);
  useEffect(() => {
    statusRef.current = onStatus;
  }, [onStatus]);

  // Lines are collected and applied once per animation frame: a chatty build must not re-render per line.
  const flush = useCallback(() => {
    frame.current = null;
    const batch = pending.current;
    pending.current = [];
    if (batch.length) setLines((current) => current.concat(batch));
  }, []);

  useEffect(() => {
    const events = new EventSource(source);
    const add = (line: LogLine) => {
      if (!DECIMAL.test(line.id) || compareIds(line.id, lastId.current) <= 0) return;
      lastId.current = line.id;
      pending.current.push(line);
      frame.current ??= requestAnimationFrame(flush);
    };
    const take = (event: MessageEvent<string>) => {
      try {
        add(toLine(JSON.parse(event.data) as LogLineData));
      } catch {
        // Not a line: ignored.
      }
    };
    const skipped = (event: MessageEvent<string>) => {
      try {
        const { id, count } = JSON.parse(event.data) as { id: string; count: number };
        if (Number.isSafeInteger(count) && count > 0)
          add({ id: String(id), level: 'skipped', text: skippedText(count) });
      } catch {
        // Not a count: ignored.
      }
    };
    const statusOf = (event: MessageEvent<string>) => {
      try {
        return (JSON.parse(event.data) as { status?: string }).status;
      } catch {
        return undefined;
      }
    };
    const status = (event: MessageEvent<string>) => {
      const value = statusOf(event);
      if (value) statusRef.current?.(value, false);
    };
    const end = (event: MessageEvent<string>) => {
      const value = statusOf(event);
      if (value) statusRef.current?.(value, true);
      events.close();
      setState('ended');
    };
    // The server could not produce the log (no service yet, engine unreachable): say why and stop retrying.
    const failure = (event: MessageEvent<string>) => {
      try {
        setProblem((JSON.parse(event.data) as { message?: string }).message ?? 'The log is not available.');
      } catch {
        setProblem('The log is not available.');
      }
      events.close();
      setState('ended');
    };
    events.addEventListener('failure', failure);
    events.addEventListener('log', take);
    events.addEventListener('skipped', skipped);
    events.addEventListener('status', status);
    events.addEventListener('end', end);
    events.onopen = () => setState('live');
    // EventSource reconnects by itself (sending Last-Event-ID); say so while it does.
    events.onerror = () => setState(events.readyState === EventSource.CLOSED ? 'ended' : 'reconnecting');
    return () => {
      events.close();
      if (frame.current !== null) cancelAnimationFrame(frame.current);
      frame.current = null;
    };
  }, [source, flush]);

  // Follow the end of the log unless the person scrolled up to read.
  useEffect(() => {
    if (!paused && box.current) box.current.scrollTop = box.current.scrollHeight;
  }, [lines, paused]);

  const onScroll = () => {
    const el = box.current;
    if (!el) return;
    const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight < STICK_PX;
    setPaused(!atBottom);
  };

  const needle = query.trim().toLowerCase();
  const shown = useMemo(() => {
    const matching = needle ? lines.filter((line) => line.text.toLowerCase().includes(needle)) : lines;
    return matching.length > SHOWN_MAX ? matching.slice(-SHOWN_MAX) : matching;
  }, [lines, needle]);

  const download = () => {
    const blob = new Blob([lines.map((line) => line.text).join('\n') + '\n'], { type: 'text/plain;charset=utf-8' });
    const link = document.createElement('a');
    link.href = URL.createObjectURL(blob);
    link.download = downloadName;
    link.click();
    URL.revokeObjectURL(link.href);
  };

  return (
    <div className="space-y-2">
      <div className="flex flex-wrap items-center gap-2">
        <Input
          type="search"
          aria-label="Search the log"
          placeholder="Search the log"
          value={query}
          onChange={(event) => setQuery(event.target.value)}
          className="max-w-xs"
        />
        {needle && (
          <span className="text-xs text-muted" role="status">
            {shown.length} of {lines.length} lines match
          </span>
        )}
        <span className="ml-auto text-xs text-muted" role="status" data-testid="log-state">
          {state === 'live'
            ? 'live'
            : state === 'ended'
              ? 'finished'
              : state === 'reconnecting'
                ? 'reconnecting…'
                : 'connecting…'}
        </span>
        {paused && (
          <Button onClick={() => setPaused(false)} className="h-7 text-xs">
            Resume auto-scroll
          </Button>
        )}
        <Button onClick={download} disabled={lines.length === 0} className="h-7 text-xs">
          Download
        </Button>
      </div>
      <div
        ref={box}
        onScroll={onScroll}
        role="log"
        aria-label="Log output"
        aria-live="off"
        className="h-[28rem] overflow-auto rounded-md border border-border bg-neutral-950 p-3 font-mono text-xs leading-5 text-neutral-100"
      >
        {shown.length === 0 ? (
          <p className="text-neutral-400">{lines.length ? 'No line matches the search.' : emptyText}</p>
        ) : (
          shown.map((line) => (
            <div
              key={line.id}
              data-level={line.level}
              className={`break-all whitespace-pre-wrap ${line.level === 'error' ? 'text-red-300' : line.level === 'skipped' ? 'text-neutral-400 italic' : ''}`}
            >
              {line.segments
                ? line.segments.map((segment, index) => <Segment key={index} segment={segment} />)
                : line.text}
            </div>
          ))
        )}
      </div>
      {problem && (
        <p role="alert" className="text-sm text-red-700 dark:text-red-400">
          {problem}
        </p>
      )}
      {lines.length > SHOWN_MAX && !needle && (
        <p className="text-xs text-muted">
          Showing the last {SHOWN_MAX.toLocaleString('en')} lines; Download has all of them.
        </p>
      )}
    </div>
  );
}

function Segment({ segment }: { segment: LogSegment }) {
  if (!segment.fg && !segment.bg && !segment.bold && !segment.dim && !segment.italic && !segment.underline)
    return segment.text;
  return (
    <span
      style={{
        color: segment.fg,
        backgroundColor: segment.bg,
        fontWeight: segment.bold ? 600 : undefined,
        opacity: segment.dim ? 0.7 : undefined,
        fontStyle: segment.italic ? 'italic' : undefined,
        textDecoration: segment.underline ? 'underline' : undefined,
      }}
    >
      {segment.text}
    </span>
  );
}
