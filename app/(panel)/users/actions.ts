'use server';

// Acting on users. can() (with canAssignRole for roles) runs inside the lib/users function against the target row it
// locks, which is also where the audit row is written; the work runs as the system (users has no row-level
// security) and formAction does the steps around it, auditing a refusal (authz.denied) in a transaction of its own.
import { formAction } from '@/lib/actions/form-action';
import { changeRole, createUser, setDisabled, signOutEverywhere } from '@/lib/users/mutations';
import { changeRoleSchema, createUserFormSchema, setDisabledSchema, userTargetSchema } from '@/lib/validation/user';

const USERS_PATH = '/users';

export const createUserAction = formAction({
  schema: createUserFormSchema,
  keys: ['username', 'email', 'role', 'password', 'confirm'],
  // The passwords are never echoed back into the form.
  echo: ['username', 'email', 'role'],
  run: createUser,
  as: 'system',
  revalidate: [USERS_PATH],
  success: (_, { username, role }) => ({
    message: `${username} can now sign in as ${role}. Give them the password over a safe channel and ask them to change it on their profile.`,
    values: { role },
  }),
});

export const changeRoleAction = formAction({
  schema: changeRoleSchema,
  keys: ['userId', 'role'],
  run: changeRole,
  as: 'system',
  revalidate: [USERS_PATH],
  success: (changed, { role }, values) => ({
    message: changed ? `Now ${role}; their sessions have ended.` : `Already ${role}.`,
    values,
  }),
});

export const setDisabledAction = formAction({
  schema: setDisabledSchema,
  keys: ['userId', 'disabled'],
  run: setDisabled,
  as: 'system',
  revalidate: [USERS_PATH],
  success: (_, { disabled }) =>
    disabled ? 'Disabled: signed out, and their API tokens revoked.' : 'Enabled: they can sign in again.',
});

export const signOutUserAction = formAction({
  schema: userTargetSchema,
  keys: ['userId'],
  // An administrator ending someone's sessions ends their API access too (D62).
  run: (tx, ctx, { userId }) => signOutEverywhere(tx, ctx, userId),
  as: 'system',
  revalidate: [USERS_PATH],
  success: (outcome) =>
    outcome.apiAccess === 'revoked' && outcome.revokedCount > 0
      ? `Signed out everywhere; ${outcome.revokedCount} API token${outcome.revokedCount === 1 ? '' : 's'} revoked.`
      : 'Signed out everywhere.',
});
