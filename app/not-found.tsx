import Link from 'next/link';

import { buttonClasses } from '@/components/ui/button';

export default function NotFound() {
  return (
    <div className="mx-auto flex max-w-lg flex-col gap-3 py-12">
      <h1 className="text-xl font-semibold">Page not found</h1>
      <p className="text-sm text-muted">There is nothing at this address. It may have been moved or deleted.</p>
      <div>
        <Link href="/" className={buttonClasses()}>
          Back to the dashboard
        </Link>
      </div>
    </div>
  );
}
