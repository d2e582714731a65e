// Small pieces the team forms share: a team-role picker (and FormMessage, re-exported). No hooks, so both server
// and client components may render them.
import type { ComponentProps } from 'react';
import type { TeamRole } from '@/lib/auth/permissions';

export { FormMessage } from '@/components/ui/form-message';

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
