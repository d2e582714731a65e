// Small pieces the team forms share: the action's message and a team-role picker. No hooks, so both server and
// client components may render them.
import type { ComponentProps } from 'react';
import type { TeamRole } from '@/lib/auth/permissions';

const TONE = {
  error: 'border-red-300 bg-red-50 text-red-800 dark:border-red-800 dark:bg-red-950 dark:text-red-200',
  success:
    'border-emerald-300 bg-emerald-50 text-emerald-900 dark:border-emerald-800 dark:bg-emerald-950 dark:text-emerald-200',
} as const;

/** The message of an ActionState: an alert when it failed, a polite status when it worked. */
export function FormMessage({ ok, message, className = '' }: { ok: boolean; message?: string; className?: string }) {
  if (!message) return null;
  return (
    <p role={ok ? 'status' : 'alert'} className={`rounded-md border p-3 text-sm ${TONE[ok ? 'success' : 'error']} ${className}`}>
      {message}
    </p>
  );
}

export const ROLE_LABELS: Readonly<Record<TeamRole, string>> = {
  owner: 'Owner — everything, including owners and deleting the team',
  admin: 'Admin — manages the team and its non-owner members',
  member: 'Member — works on the team’s projects',
  viewer: 'Viewer — reads the team’s projects',
};

/** A <select> of team roles styled like Input; `roles` is what this person may give. */
export function RoleSelect({ roles, short = false, className = '', ...props }: ComponentProps<'select'> & { roles: readonly TeamRole[]; short?: boolean }) {
  return (
    <select
      className={`h-9 rounded-md border border-border bg-surface px-2 text-sm text-foreground aria-invalid:border-red-600 dark:aria-invalid:border-red-400 ${className}`}
      {...props}
    >
      {roles.map((role) => (
        <option key={role} value={role}>
          {short ? role : ROLE_LABELS[role]}
        </option>
      ))}
    </select>
  );
}
