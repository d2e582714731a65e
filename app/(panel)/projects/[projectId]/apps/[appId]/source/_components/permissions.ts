// Pieces the Source and Webhook tabs' git panels share: what the viewer may do, and a titled section.
import type { ReactNode } from 'react';

export type Permissions = { canUpdate: boolean; canReveal: boolean; canDeploy: boolean };

export function Section({ id, title, children, action }: { id: string; title: string; children: ReactNode; action?: ReactNode }) {
  return (
    <section aria-labelledby={id} className="space-y-3">
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h3 id={id} className="text-base font-semibold">
          {title}
        </h3>
        {action}
      </div>
      {children}
    </section>
  );
}

