import { describe, expect, it } from 'vitest';

import { deniedEntry } from './refusal';

const ctx = { actor: { id: '11111111-1111-4111-8111-111111111111' }, meta: { ip: '203.0.113.9', userAgent: 'test' } };

describe('deniedEntry', () => {
  it('records who tried what on which resource, from where', () => {
    const id = '22222222-2222-4222-8222-222222222222';
    expect(deniedEntry(ctx, { action: 'project.update', resourceType: 'project', resourceId: id })).toEqual({
      userId: ctx.actor.id,
      action: 'authz.denied',
      resourceType: 'project',
      resourceId: id,
      details: { action: 'project.update' },
      ip: '203.0.113.9',
      userAgent: 'test',
    });
  });

  it.each(['new', '', "x' OR 1=1", undefined, null])('keeps the attempt but no resource id for %j', (resourceId) => {
    const entry = deniedEntry(
      { actor: ctx.actor },
      { action: 'team.read', resourceType: 'team', resourceId, details: { teamId: 'new' } },
    );
    expect(entry).toEqual({
      userId: ctx.actor.id,
      action: 'authz.denied',
      resourceType: 'team',
      resourceId: null,
      details: { action: 'team.read', teamId: 'new' },
    });
  });

  it('never lets details overwrite the refused action', () => {
    const entry = deniedEntry(ctx, {
      action: 'audit.read',
      resourceType: 'user',
      details: { action: 'forged' } as Record<string, unknown>,
    });
    expect(entry.details).toEqual({ action: 'audit.read' });
  });
});
