import type { ReactNode } from 'react';

import { Card } from './card';

/** A heading; right-aligned for numbers and row actions; `hidden` keeps it for screen readers only. */
export type Heading = string | { label: string; align?: 'right'; hidden?: boolean };

/** The panel's list table: a card, a header row of column headings, and the caller's rows as the body. */
export function DataTable({ headings, children }: { headings: Heading[]; children: ReactNode }) {
  return (
    <Card className="overflow-x-auto">
      <table className="w-full text-left text-sm">
        <thead className="border-b border-border bg-subtle/60 text-xs text-muted">
          <tr>
            {headings.map((heading) => {
              const { label, align, hidden } = typeof heading === 'string' ? { label: heading } : heading;
              return (
                <th
                  key={label}
                  scope="col"
                  className={`px-4 py-2.5 font-medium${align === 'right' ? 'text-right' : ''}`}
                >
                  {hidden ? <span className="sr-only">{label}</span> : label}
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody className="divide-y divide-border">{children}</tbody>
      </table>
    </Card>
  );
}
