'use client';

// Shown when a page throws (most often: the database cannot be reached). Server errors arrive here without their
// message in production, so say what usually causes one and where the details are.
import { useEffect } from 'react';

import { Button } from '@/components/ui/button';

export default function ErrorPage({ error, retry }: { error: unknown; retry: () => void }) {
  const digest = error instanceof Error && 'digest' in error ? String(error.digest) : undefined;

  useEffect(() => {
    console.error(error);
  }, [error]);

  return (
    <div role="alert" className="mx-auto flex max-w-lg flex-col gap-3 py-12">
      <h1 className="text-xl font-semibold">This page could not be loaded</h1>
      <p className="text-sm text-muted">
        Slipway could not read its data, most often because its PostgreSQL database is not reachable. Check that the
        database is running (<code className="font-mono">GET /api/health</code> reports it) and look in the panel&apos;s
        log for the full error, then try again.
      </p>
      {digest && (
        <p className="text-xs text-muted">
          Error reference: <code className="font-mono">{digest}</code>
        </p>
      )}
      <div>
        <Button variant="primary" onClick={() => retry()}>
          Try again
        </Button>
      </div>
    </div>
  );
}
