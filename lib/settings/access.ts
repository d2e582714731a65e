// Who may change the panel's settings: administrators (settings.manage). A refusal carries its audit entry, naming
// the setting, so every settings function refuses and records alike.
import { deniedEntry } from '@/lib/audit/refusal';
import { assertCan } from '@/lib/auth/permissions';
import type { WorkContext } from '@/lib/db/work';
import { AppError } from '@/lib/errors';

export function assertSettingsManager(ctx: WorkContext, setting: string): void {
  try {
    assertCan(ctx.actor, 'settings.manage', { type: 'platform' });
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    const audit = deniedEntry(ctx, { action: 'settings.manage', resourceType: 'user', details: { setting } });
    throw new AppError('forbidden', error.message, { audit });
  }
}
