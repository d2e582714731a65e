'use client';

// Copies a value the page already shows (a URL, a public key, a secret the person just revealed).
import { useState } from 'react';

import { Button } from '@/components/ui/button';

export function CopyButton({ value, label }: { value: string; label: string }) {
  const [copy, setCopy] = useState<'idle' | 'copied' | 'failed'>('idle');
  async function run() {
    try {
      // Needs a secure context (https or localhost); otherwise the person selects the text and copies it.
      await navigator.clipboard.writeText(value);
      setCopy('copied');
    } catch {
      setCopy('failed');
    }
  }
  return (
    <span className="inline-flex items-center gap-2">
      <Button variant="secondary" onClick={run} aria-label={label}>
        {copy === 'copied' ? 'Copied' : 'Copy'}
      </Button>
      <span aria-live="polite" className="text-xs text-muted">
        {copy === 'failed' && 'The browser did not allow copying: select the text and press Ctrl+C (⌘C).'}
      </span>
    </span>
  );
}
