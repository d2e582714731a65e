import type { PlatformRole } from '@/lib/auth/permissions';

export const PLATFORM_ROLE_LABELS: Readonly<Record<PlatformRole, string>> = {
  super_admin: 'Super admin',
  admin: 'Admin',
  developer: 'Developer',
  viewer: 'Viewer',
};
