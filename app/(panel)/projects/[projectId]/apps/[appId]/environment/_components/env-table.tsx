'use client';

// The variables: plain values as they are, secrets as a mask. A revealed secret lives only in this row's state in
// the browser of the person who asked (the server action returns it to them alone; the page never renders it).
import { useState, useTransition } from 'react';

import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { DataTable } from '@/components/ui/table';
import { ActionToast } from '@/components/ui/toast';
import { initialActionState, type ActionState } from '@/lib/actions/state';

import { deleteEnvVarAction, revealSecretAction } from '../actions';
import { EnvVarForm, type EnvVarView } from './env-var-form';

const SECRET_MASK = '••••••••';

type TableProps = { applicationId: string; vars: EnvVarView[]; canWrite: boolean; canReveal: boolean };

export function EnvTable({ applicationId, vars, canWrite, canReveal }: TableProps) {
  const [done, setDone] = useState<ActionState>(initialActionState);
  return (
    <>
      <ActionToast state={done} />
      <DataTable headings={['Key', 'Value', { label: 'Actions', align: 'right', hidden: !canWrite && !canReveal }]}>
        {vars.map((variable) => (
          <EnvRow
            key={variable.key}
            applicationId={applicationId}
            variable={variable}
            canWrite={canWrite}
            canReveal={canReveal}
            onDone={setDone}
          />
        ))}
      </DataTable>
    </>
  );
}

type RowProps = {
  applicationId: string;
  variable: EnvVarView;
  canWrite: boolean;
  canReveal: boolean;
  onDone: (state: ActionState) => void;
};

function EnvRow({ applicationId, variable, canWrite, canReveal, onDone }: RowProps) {
  const [editing, setEditing] = useState(false);
  const [revealed, setRevealed] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();
  const { key, isSecret } = variable;

  const reveal = () =>
    startTransition(async () => {
      const result = await revealSecretAction(applicationId, key);
      if (result.ok) {
        setRevealed(result.value);
        setProblem(null);
      } else setProblem(result.message);
    });

  if (editing) {
    return (
      <tr>
        <td colSpan={3} className="px-4 py-3">
          <EnvVarForm
            applicationId={applicationId}
            current={variable}
            onSaved={(state) => {
              setEditing(false);
              onDone(state);
            }}
            onCancel={() => setEditing(false)}
          />
        </td>
      </tr>
    );
  }

  return (
    <tr data-key={key}>
      <th scope="row" className="px-4 py-2.5 align-top font-mono text-sm font-medium break-all">
        {key}
      </th>
      <td className="px-4 py-2.5 align-top">
        <div className="flex flex-wrap items-start gap-2">
          {isSecret && <Badge tone="violet">secret</Badge>}
          {isSecret && revealed === null && (
            <span className="font-mono text-muted" aria-label="Secret value hidden">
              {SECRET_MASK}
            </span>
          )}
          {(!isSecret || revealed !== null) && (
            <code
              data-testid={revealed !== null ? 'revealed-value' : undefined}
              className="max-h-40 overflow-auto font-mono text-xs break-all whitespace-pre-wrap"
            >
              {isSecret ? revealed : variable.value}
              {!isSecret && variable.value === '' && <span className="text-muted">(empty)</span>}
            </code>
          )}
        </div>
        {problem && (
          <p role="alert" className="mt-1 text-xs text-red-700 dark:text-red-400">
            {problem}
          </p>
        )}
      </td>
      <td className="px-4 py-2.5 text-right align-top whitespace-nowrap">
        <div className="flex justify-end gap-1">
          {isSecret &&
            canReveal &&
            (revealed === null ? (
              <Button variant="ghost" onClick={reveal} disabled={pending} aria-label={`Reveal ${key}`}>
                {pending ? 'Revealing…' : 'Reveal'}
              </Button>
            ) : (
              <Button variant="ghost" onClick={() => setRevealed(null)} aria-label={`Hide ${key}`}>
                Hide
              </Button>
            ))}
          {canWrite && (
            <>
              <Button variant="ghost" onClick={() => setEditing(true)} aria-label={`Edit ${key}`}>
                Edit
              </Button>
              <DeleteButton applicationId={applicationId} envKey={key} onDeleted={onDone} />
            </>
          )}
        </div>
      </td>
    </tr>
  );
}

/** Deleting asks once more, in place, naming the key. */
function DeleteButton({
  applicationId,
  envKey,
  onDeleted,
}: {
  applicationId: string;
  envKey: string;
  onDeleted: (state: ActionState) => void;
}) {
  const [confirming, setConfirming] = useState(false);
  const [problem, setProblem] = useState<string | undefined>();
  const [pending, startTransition] = useTransition();
  if (!confirming) {
    return (
      <Button variant="ghost" onClick={() => setConfirming(true)} aria-label={`Delete ${envKey}`}>
        Delete
      </Button>
    );
  }
  const confirm = () =>
    startTransition(async () => {
      const data = new FormData();
      data.set('applicationId', applicationId);
      data.set('key', envKey);
      const result = await deleteEnvVarAction(initialActionState, data);
      if (result.ok) onDeleted(result);
      else setProblem(result.message);
    });
  return (
    <span className="inline-flex items-center gap-1" role="group" aria-label={`Confirm deleting ${envKey}`}>
      <span className="text-xs">{problem ?? `Delete ${envKey}?`}</span>
      <Button variant="primary" onClick={confirm} disabled={pending}>
        {pending ? 'Deleting…' : 'Yes, delete'}
      </Button>
      <Button variant="ghost" onClick={() => setConfirming(false)} disabled={pending}>
        Cancel
      </Button>
    </span>
  );
}
