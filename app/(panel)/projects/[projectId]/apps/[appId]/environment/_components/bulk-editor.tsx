'use client';

// Bulk edit: paste .env text, merge or replace. The text stays in this textarea (it may hold secrets, so the server
// never sends it back); a refused paste lists each bad line by number and nothing is saved. After a save the
// textarea shows the variables as now stored (secrets as comment lines).
import { useState, useTransition, type FormEvent } from 'react';

import { Button } from '@/components/ui/button';
import { Field } from '@/components/ui/field';
import { FormMessage } from '@/components/ui/form-message';
import { Textarea } from '@/components/ui/textarea';
import { ActionToast } from '@/components/ui/toast';
import { initialActionState } from '@/lib/actions/state';

import { bulkApplyEnvAction, type BulkState } from '../actions';

export function BulkEditor({ applicationId, storedText }: { applicationId: string; storedText: string }) {
  const [state, setState] = useState<BulkState>(initialActionState);
  // null: show what is stored (refreshed by the server after each save); a string: what the person is editing.
  const [text, setText] = useState<string | null>(null);
  const [mode, setMode] = useState<'merge' | 'replace'>('merge');
  const [pending, startTransition] = useTransition();
  const lineErrors = state.lineErrors ?? [];
  const errors = state.fieldErrors ?? {};

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    startTransition(async () => {
      const next = await bulkApplyEnvAction(state, data);
      setState(next);
      if (!next.ok) return;
      form.reset();
      setText(null);
    });
  };

  return (
    <form onSubmit={submit} className="space-y-3" noValidate aria-label="Bulk edit">
      <ActionToast state={state} />
      <FormMessage ok={false} message={state.ok ? undefined : state.message} />
      <input type="hidden" name="applicationId" value={applicationId} />
      <label className="block space-y-1 text-sm">
        <span className="font-medium">.env text</span>
        <Textarea
          name="text"
          rows={12}
          value={text ?? storedText}
          onChange={(event) => setText(event.target.value)}
          spellCheck={false}
          autoComplete="off"
          className="font-mono text-xs"
          aria-invalid={lineErrors.length || errors.text?.length ? true : undefined}
          aria-describedby="bulk-text-hint bulk-line-errors"
        />
        <span id="bulk-text-hint" className="block text-xs text-muted">
          One KEY=value per line. # starts a comment; an export prefix is fine; quote values with spaces; double quotes
          allow \n and line breaks. Nothing is saved until every line is valid.
        </span>
      </label>
      {(lineErrors.length > 0 || errors.text?.length) && (
        <ul
          id="bulk-line-errors"
          role="alert"
          aria-label="Lines to fix"
          className="space-y-1 rounded-md border border-red-300 bg-red-50 p-3 text-xs text-red-800 dark:border-red-800 dark:bg-red-950 dark:text-red-200"
        >
          {errors.text?.map((message) => (
            <li key={message}>{message}</li>
          ))}
          {lineErrors.map((error) => (
            <li key={`${error.line}:${error.message}`} data-line={error.line}>
              {error.message}
            </li>
          ))}
        </ul>
      )}
      <fieldset className="space-y-1 text-sm">
        <legend className="font-medium">When a key is already set</legend>
        <label className="flex items-center gap-2">
          <input type="radio" name="mode" value="merge" checked={mode === 'merge'} onChange={() => setMode('merge')} />
          Merge: set the pasted keys, keep all others
        </label>
        <label className="flex items-center gap-2">
          <input
            type="radio"
            name="mode"
            value="replace"
            checked={mode === 'replace'}
            onChange={() => setMode('replace')}
          />
          Replace: also delete plain variables the paste leaves out (secrets are kept; delete those one by one)
        </label>
      </fieldset>
      <Field
        label="Store as secrets"
        name="secretKeys"
        errors={errors.secretKeys}
        hint="Pasted keys to encrypt, separated by commas or spaces. Keys that are secret already stay secret."
        autoComplete="off"
        spellCheck={false}
        className="font-mono"
        placeholder="API_KEY, DB_PASSWORD"
      />
      <Button type="submit" variant="primary" disabled={pending}>
        {pending ? 'Saving…' : 'Save all'}
      </Button>
    </form>
  );
}
