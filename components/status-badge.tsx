// An application status as a badge: colour, a shape and the word, so it reads without colour vision too.
import type { ReactNode } from 'react';

import { Badge, type BadgeTone } from '@/components/ui/badge';

export const APPLICATION_STATUSES = ['running', 'deploying', 'scaling', 'failed', 'stopped', 'archived'] as const;
export type ApplicationStatus = (typeof APPLICATION_STATUSES)[number];

const svg = (children: ReactNode, className = '') => (
  <svg viewBox="0 0 12 12" className={`size-3 shrink-0 ${className}`} aria-hidden="true" focusable="false">
    {children}
  </svg>
);

const STATUS: Record<ApplicationStatus, { label: string; tone: BadgeTone; icon: ReactNode }> = {
  running: { label: 'running', tone: 'green', icon: svg(<circle cx="6" cy="6" r="4" fill="currentColor" />) },
  deploying: {
    label: 'deploying',
    tone: 'blue',
    icon: svg(
      <path d="M6 10V2M2.5 5.5 6 2l3.5 3.5" fill="none" stroke="currentColor" strokeWidth="1.6" />,
      'motion-safe:animate-pulse',
    ),
  },
  scaling: {
    label: 'scaling',
    tone: 'violet',
    icon: svg(
      <path
        d="M2 4h8M7.5 1.5 10 4 7.5 6.5M10 8H2m2.5-2.5L2 8l2.5 2.5"
        fill="none"
        stroke="currentColor"
        strokeWidth="1.4"
      />,
    ),
  },
  failed: {
    label: 'failed',
    tone: 'red',
    icon: svg(<path d="m2.5 2.5 7 7m0-7-7 7" stroke="currentColor" strokeWidth="1.8" />),
  },
  stopped: {
    label: 'stopped',
    tone: 'neutral',
    icon: svg(<rect x="2.5" y="2.5" width="7" height="7" rx="1" fill="currentColor" />),
  },
  archived: {
    label: 'archived',
    tone: 'muted',
    icon: svg(<path d="M1.5 3h9v2h-9zM2.5 5v5h7V5M5 7h2" fill="none" stroke="currentColor" strokeWidth="1.2" />),
  },
};

/**
 * `<StatusBadge status="failed" />` reads "failed"; with a count it reads "2 failed", and a zero count is shown
 * quietly (muted, no colour) so the statuses that need attention stand out.
 */
export function StatusBadge({ status, count }: { status: ApplicationStatus; count?: number }) {
  const { label, tone, icon } = STATUS[status];
  return (
    <Badge tone={count === 0 ? 'muted' : tone} className={count === 0 ? 'opacity-70' : ''}>
      {icon}
      {count === undefined ? label : `${count} ${label}`}
    </Badge>
  );
}
