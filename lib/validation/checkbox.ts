import { z } from 'zod';

/**
 * A form's checkbox: ticked sends "on" (some clients "true" or "1"), unticked sends nothing. Functions called
 * directly pass booleans, and parsed output parses again. Any other value is a malformed request, not "unticked".
 */
export const checkboxSchema = z
  .union([z.boolean(), z.enum(['on', 'true', '1', 'false', '0', ''])], 'A checkbox is either ticked or not.')
  .optional()
  .transform((value) => value === true || value === 'on' || value === 'true' || value === '1');
