// The fields that make an account, shared by first-run setup and an administrator's New user form. `own`: the
// person is making their own account, so the browser may fill in and remember what they type.
import type { ActionState } from '@/lib/actions/state';

import { Field } from './ui/field';

type Props = { state: ActionState; own: boolean };

export function IdentityFields({ state, own }: Props) {
  const errors = state.fieldErrors ?? {};
  return (
    <>
      <Field
        label="Username"
        name="username"
        autoComplete={own ? 'username' : 'off'}
        defaultValue={state.values?.username}
        errors={errors.username}
        hint="3–50 characters: a–z, 0–9, _ and -"
        required
      />
      <Field
        label="Email"
        name="email"
        type="email"
        autoComplete={own ? 'email' : 'off'}
        defaultValue={state.values?.email}
        errors={errors.email}
        required
      />
    </>
  );
}

/** A new password and its repetition; never echoed back (ActionState.values has no password). */
export function NewPasswordFields({ state }: Pick<Props, 'state'>) {
  const errors = state.fieldErrors ?? {};
  return (
    <>
      <Field
        label="Password"
        name="password"
        type="password"
        autoComplete="new-password"
        errors={errors.password}
        hint="At least 12 characters"
        required
      />
      <Field
        label="Repeat the password"
        name="confirm"
        type="password"
        autoComplete="new-password"
        errors={errors.confirm}
        required
      />
    </>
  );
}
