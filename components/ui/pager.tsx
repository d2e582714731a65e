import Link from 'next/link';

import { buttonClasses } from './button';

/** Keyset pagination links: back to the first page, and on to the next one when there is one. */
export function Pager({ firstHref, nextHref }: { firstHref?: string; nextHref?: string }) {
  return (
    <nav aria-label="Pages" className="flex items-center justify-between gap-4">
      {firstHref ? (
        <Link href={firstHref} className={buttonClasses('ghost')}>
          ← First page
        </Link>
      ) : (
        <span />
      )}
      {nextHref && (
        <Link href={nextHref} className={buttonClasses()}>
          Next page →
        </Link>
      )}
    </nav>
  );
}
