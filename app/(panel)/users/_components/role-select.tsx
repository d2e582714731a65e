import type { ComponentProps } from 'react';
import type { PlatformRole } from '@/lib/auth/permissions';

export const ROLE_LABELS: Record<PlatformRole, string> = {
  super_admin: 'Super admin',
  admin: 'Admin',
  developer: 'Developer',
  viewer: 'Viewer',
};

/** A native select of platform roles, styled like Input; `anyLabel` adds a blank "any" choice (for filters). */
export function RoleSelect({
  roles,
  anyLabel,
  className = '',
  ...props
}: ComponentProps<'select'> & { roles: readonly PlatformRole[]; anyLabel?: string }) {
  return (
    <select
      className={`h-9 rounded-md border border-border bg-surface px-2 text-sm text-foreground aria-invalid:border-red-600 dark:aria-invalid:border-red-400 ${className}`}
      {...props}
    >
      {anyLabel !== undefined && <option value="">{anyLabel}</option>}
      {roles.map((role) => (
        <option key={role} value={role}>
          {ROLE_LABELS[role]}
        </option>
      ))}
    </select>
  );
}
