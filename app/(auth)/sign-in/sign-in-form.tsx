'use client';

import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';

import { Button } from '@/components/ui/button';
import { Field } from '@/components/ui/field';
import { signInWithPassword } from '@/lib/auth/client';

// One message whatever was wrong, so the form never tells whether an account exists.
const GENERIC = 'Wrong username, email or password.';

export function SignInForm({ notice }: { notice?: string }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setPending(true);
    setError(null);
    const failure = await signInWithPassword(
      String(form.get('identifier') ?? ''),
      String(form.get('password') ?? ''),
    ).catch(() => 'CredentialsSignin');
    setPending(false);
    if (failure === null) {
      router.replace('/');
      router.refresh();
      return;
    }
    setError(failure !== 'CredentialsSignin' ? failure : GENERIC);
  }

  return (
    <form onSubmit={submit} className="space-y-4">
      {notice && !error && <p className="rounded-md border border-border bg-subtle p-3 text-sm">{notice}</p>}
      {error && (
        <p
          role="alert"
          className="rounded-md border border-red-300 bg-red-50 p-3 text-sm text-red-800 dark:border-red-800 dark:bg-red-950 dark:text-red-200"
        >
          {error}
        </p>
      )}
      <Field label="Username or email" name="identifier" autoComplete="username" required />
      <Field label="Password" name="password" type="password" autoComplete="current-password" required />
      <Button type="submit" variant="primary" disabled={pending} className="w-full">
        {pending ? 'Signing in…' : 'Sign in'}
      </Button>
    </form>
  );
}
