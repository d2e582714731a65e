'use client';

// A submit button that knows its form is on its way: disabled and relabelled while the server action runs, so a
// double click never posts twice.
import type { ComponentProps } from 'react';
import { useFormStatus } from 'react-dom';

import { Button, type ButtonVariant } from './button';

export function SubmitButton({
  children,
  pendingLabel,
  variant = 'primary',
  disabled,
  ...props
}: Omit<ComponentProps<'button'>, 'type'> & { pendingLabel: string; variant?: ButtonVariant }) {
  const { pending } = useFormStatus();
  return (
    <Button
      type="submit"
      variant={variant}
      disabled={pending || disabled}
      aria-disabled={pending || disabled}
      {...props}
    >
      {pending ? pendingLabel : children}
    </Button>
  );
}
