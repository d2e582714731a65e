// The role pickers: platform roles on the users page, team roles on a team's page. One <select> built on the
// Select primitive; `roles` is what this person may give, `labels` how each reads (the bare role name without it).
// The label tables live with their pages, so neither page ships the other's.
import type { ComponentProps } from 'react';

import { Select, SelectField } from './ui/select';

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
