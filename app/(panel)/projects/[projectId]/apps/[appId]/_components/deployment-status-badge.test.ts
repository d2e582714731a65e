import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';

import { DeploymentStatusBadge } from './deployment-status-badge';

const render = (status: string) => renderToStaticMarkup(createElement(DeploymentStatusBadge, { status }));
const RED = /\bbg-red-50\b/;
const GREY = /\btext-muted\b/;

describe('DeploymentStatusBadge', () => {
  it('shows a superseded deployment as superseded, in grey, not as a red failure', () => {
    const html = render('superseded');
    expect(html).toMatch(/>superseded<\/span>$/);
    expect(html).toMatch(GREY);
    expect(html).not.toMatch(RED);
  });

  it.each([
    ['failed', 'failed', RED],
    ['rolled_back', 'rolled back', /\bbg-amber-50\b/],
    ['success', 'success', /\bbg-emerald-50\b/],
    ['pending', 'pending', GREY],
  ])('%s reads “%s”', (status, word, tone) => {
    const html = render(status);
    expect(html).toContain(`>${word}</span>`);
    expect(html).toMatch(tone);
  });
});
