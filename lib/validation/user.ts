import { z } from 'zod';

export const usernameSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9_-]{3,50}$/, 'Use 3–50 characters: lowercase letters, digits, "_" and "-".');

export const emailSchema = z.string().trim().max(255, 'At most 255 characters.').pipe(z.email('Enter an email address like name@example.com.'));

export const platformRoleSchema = z.enum(['super_admin', 'admin', 'developer', 'viewer'], {
  message: 'Choose one of: super_admin, admin, developer, viewer.',
});
