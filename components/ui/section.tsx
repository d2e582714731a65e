import type { ReactNode } from 'react';

// A titled part of a page: the heading names the section for screen readers (aria-labelledby), an optional action
// sits at the heading's right, and a description under it. `level` 3 for sections inside a tab's panel.
const HEADING = { 2: 'text-lg font-semibold', 3: 'text-base font-semibold' } as const;

export function Section({
  id,
  title,
  description,
  action,
  level = 2,
  className = '',
  children,
}: {
  id: string;
  title: string;
  description?: ReactNode;
  action?: ReactNode;
  level?: 2 | 3;
  className?: string;
  children: ReactNode;
}) {
  const Heading = level === 2 ? 'h2' : 'h3';
  return (
    <section aria-labelledby={id} className={`space-y-3 ${className}`}>
      <div className="space-y-1">
        <div className="flex flex-wrap items-center justify-between gap-3">
          <Heading id={id} className={HEADING[level]}>
            {title}
          </Heading>
          {action}
        </div>
        {description && <p className="text-sm text-muted">{description}</p>}
      </div>
      {children}
    </section>
  );
}
