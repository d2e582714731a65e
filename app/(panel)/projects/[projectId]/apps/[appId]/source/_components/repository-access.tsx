'use client';

// How git reaches a private repository: nothing (public), a deploy key made here (its public half shown, to add to the
// repository), or an access token pasted in (write-only: after saving only "token set" is shown). Replacing and
// removing ask first, in place.
import { useState, useTransition } from 'react';

import { CopyButton } from '@/components/copy-button';
import { Button } from '@/components/ui/button';
import { FormMessage } from '@/components/ui/form-message';
import { Textarea } from '@/components/ui/textarea';
import { ActionToast } from '@/components/ui/toast';
import { initialActionState, type ActionState } from '@/lib/actions/state';
import type { AuthMethod } from '@/lib/git-sources/config';

import { createDeployKeyAction, removeCredentialsAction } from '../actions';
import { TokenForm } from './token-form';

export type Props = {
  applicationId: string;
  method: AuthMethod;
  publicKey: string | null;
  fingerprint: string | null;
  tokenUsername: string | null;
  defaultUsername: string;
  canChange: boolean;
  /** Where the provider takes a read-only deploy key, and what kind of token to make. */
  keySteps: string;
  tokenSteps: string;
};

type Confirming = null | 'key' | 'remove';

export function RepositoryAccess(props: Props) {
  const {
    applicationId,
    method,
    publicKey,
    fingerprint,
    tokenUsername,
    defaultUsername,
    canChange,
    keySteps,
    tokenSteps,
  } = props;
  const [state, setState] = useState<ActionState>(initialActionState);
  const [confirming, setConfirming] = useState<Confirming>(null);
  const [tokenForm, setTokenForm] = useState(false);
  const [pending, startTransition] = useTransition();

  const act = (action: () => Promise<ActionState>) =>
    startTransition(async () => {
      const result = await action();
      setState(result);
      setConfirming(null);
      if (result.ok) setTokenForm(false);
    });
  const what = method === 'deploy_key' ? 'deploy key' : 'access token';

  return (
    <div className="space-y-4">
      <ActionToast state={state} />
      <FormMessage ok={false} message={state.ok ? undefined : state.message} />
      {method === 'none' && (
        <p className="text-sm text-muted">
          None: the repository is fetched without credentials, which works for a public repository only.
        </p>
      )}
      {method === 'deploy_key' && publicKey && (
        <div className="space-y-2">
          <p className="text-sm">
            <span className="font-medium">Deploy key</span>{' '}
            <span className="font-mono text-xs text-muted">{fingerprint}</span>
          </p>
          <Textarea
            readOnly
            value={publicKey}
            aria-label="Public key"
            rows={3}
            className="font-mono text-xs break-all"
            spellCheck={false}
            onFocus={(event) => event.currentTarget.select()}
          />
          <div className="flex flex-wrap items-center gap-2">
            <CopyButton value={publicKey} label="Copy the public key" />
          </div>
          <p className="text-sm text-muted">{keySteps}</p>
        </div>
      )}
      {method === 'token' && (
        <p className="text-sm">
          <span className="font-medium">Access token set</span>
          <span className="text-muted">{` (sent with the user name ${tokenUsername ?? defaultUsername}). It is never shown again; replace it to change it.`}</span>
        </p>
      )}

      {canChange && confirming === null && !tokenForm && (
        <div className="flex flex-wrap gap-2">
          <Button
            variant="secondary"
            disabled={pending}
            onClick={() => (method === 'none' ? act(() => createDeployKeyAction(applicationId)) : setConfirming('key'))}
          >
            {method === 'deploy_key' ? 'Replace deploy key' : 'Generate deploy key'}
          </Button>
          <Button variant="secondary" disabled={pending} onClick={() => setTokenForm(true)}>
            {method === 'token' ? 'Replace access token' : 'Use an access token'}
          </Button>
          {method !== 'none' && (
            <Button
              variant="ghost"
              disabled={pending}
              onClick={() => setConfirming('remove')}
              className="text-red-700 dark:text-red-400"
            >
              {`Remove ${what}`}
            </Button>
          )}
        </div>
      )}
      {confirming && (
        <div
          role="group"
          aria-label={confirming === 'key' ? 'Confirm generating a deploy key' : `Confirm removing the ${what}`}
          className="space-y-2 rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-950 dark:border-amber-700 dark:bg-amber-950 dark:text-amber-100"
        >
          <p>
            {confirming === 'key'
              ? `Generate a new deploy key? It replaces the current ${what}, which Slipway stops using at once: add the new public key to the repository before the next deployment.`
              : `Remove the ${what}? Deployments then fetch the repository without credentials, which fails for a private repository.`}
          </p>
          <div className="flex gap-2">
            <Button
              variant="primary"
              disabled={pending}
              onClick={() =>
                act(() =>
                  confirming === 'key' ? createDeployKeyAction(applicationId) : removeCredentialsAction(applicationId),
                )
              }
            >
              {pending ? 'Working…' : confirming === 'key' ? 'Yes, generate' : 'Yes, remove'}
            </Button>
            <Button variant="ghost" disabled={pending} onClick={() => setConfirming(null)}>
              Cancel
            </Button>
          </div>
        </div>
      )}
      {tokenForm && (
        <TokenForm
          {...props}
          replacing={method !== 'none' ? what : null}
          onDone={(result) => {
            setState(result);
            setTokenForm(false);
          }}
          onCancel={() => setTokenForm(false)}
        />
      )}
      {canChange && method === 'none' && !tokenForm && <p className="text-xs text-muted">{tokenSteps}</p>}
    </div>
  );
}
