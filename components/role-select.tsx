// The role pickers: platform roles on the users page, team roles on a team's page. One <select> built on the
// Select primitive; `roles` is what this person may give, `labels` how each reads (the bare role name without it).
import type { ComponentProps } from 'react';
import type { PlatformRole, TeamRole } from '@/lib/auth/permissions';
import { Select, SelectField } from './ui/select';

export const PLATFORM_ROLE_LABELS: Readonly<Record<PlatformRole, string>> = {
  super_admin: 'Super admin',
  admin: 'Admin',
  developer: 'Developer',
  viewer: 'Viewer',
};

export const TEAM_ROLE_LABELS: Readonly<Record<TeamRole, string>> = {
  owner: 'Owner — everything, including owners and deleting the team',
  admin: 'Admin — manages the team and its non-owner members',
  member: 'Member — works on the team’s projects',
  viewer: 'Viewer — reads the team’s projects',
};

type RoleSelectProps<Role extends string> = ComponentProps<'select'> & {
  roles: readonly Role[];
  labels?: Readonly<Record<Role, string>>;
  anyLabel?: string;
  /** With a label, a form field (label, hint and errors beside it); without, a bare select named by aria-label. */
  field?: { label: string; name: string; errors?: string[]; hint?: string };
};

/** `anyLabel` adds a blank "any" choice first (for filters). */
export function RoleSelect<Role extends string>({ roles, labels, anyLabel, field, ...props }: RoleSelectProps<Role>) {
  const options = (
    <>
      {anyLabel !== undefined && <option value="">{anyLabel}</option>}
      {roles.map((role) => (
        <option key={role} value={role}>
          {labels ? labels[role] : role}
        </option>
      ))}
    </>
  );
  if (field) {
    return (
      <SelectField {...field} {...props}>
        {options}
      </SelectField>
    );
  }
  return <Select {...props}>{options}</Select>;
}
