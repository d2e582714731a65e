// Panel settings an administrator changes on /settings/network (D66). The parser is the one the server applies
// (lib/http/client-ip-core.mjs), so what is saved is exactly what takes effect.
import { z } from 'zod';

import { parseTrustedProxies } from '@/lib/http/client-ip';

import { TRUSTED_PROXIES_MAX_LENGTH } from './rules';

export const trustedProxiesSchema = z.object({
  trustedProxies: z
    .string()
    .max(TRUSTED_PROXIES_MAX_LENGTH, `At most ${TRUSTED_PROXIES_MAX_LENGTH} characters.`)
    .transform((text, ctx) => {
      try {
        // Stored as parsed (canonical addresses, ", " between them), so the page shows what is applied.
        return parseTrustedProxies(text.replace(/[\s,]+/g, ',')).entries.join(', ');
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
        return z.NEVER;
      }
    }),
});
export type TrustedProxiesInput = z.input<typeof trustedProxiesSchema>;
