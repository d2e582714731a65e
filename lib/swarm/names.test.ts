import { describe, expect, it } from 'vitest';

import { EngineError } from './errors';
import {
  imageLabelsFor,
  imageRef,
  imageRepo,
  isOurs,
  LABEL,
  labelFilters,
  labelsFor,
  networkName,
  serviceName,
  shortId,
} from './names';

const id = '0A1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
const projectId = '99999999-8888-4777-8666-555555555555';

describe('names', () => {
  it('derives every name from the ids', () => {
    expect(shortId(id)).toBe('0a1b2c3d4e5f');
    expect(serviceName({ id, name: 'api' })).toBe('slw-0a1b2c3d4e5f-api');
    expect(networkName(projectId)).toBe('slw-project-999999998888');
    expect(imageRepo(id)).toBe('slipway/app-0a1b2c3d4e5f');
    expect(imageRef(id, 'dep-1.2_x')).toBe('slipway/app-0a1b2c3d4e5f:dep-1.2_x');
  });

  it.each([
    // "slw-" + 12 hex + "-" leaves 46 characters of the name.
    ['a'.repeat(63), 63],
    [`${'a'.repeat(46)}-bcd`, 63],
    [`${'a'.repeat(45)}-b`, 62], // the cut lands after the hyphen, which a DNS label cannot end with
  ])('keeps the service name a DNS label for %s', (name, length) => {
    const result = serviceName({ id, name });
    expect(result).toHaveLength(length);
    expect(result).toMatch(/^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/);
  });

  it.each(['', 'API', 'a b', 'a;rm -rf /', '-a', 'a-', 'ä', 'a\nb'])('refuses the application name %j', (name) => {
    expect(() => serviceName({ id, name })).toThrow(EngineError);
  });

  it.each(['', 'nope', '1234', 'zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz', '../../etc'])('refuses the id %j', (bad) => {
    expect(() => shortId(bad)).toThrow(EngineError);
  });

  it.each(['', 'a:b', '-x', 'a/b', 'x'.repeat(129), 'tag with space'])('refuses the image tag %j', (tag) => {
    expect(() => imageRef(id, tag)).toThrow(EngineError);
  });

  it('labels objects with their owner and recognises only our own', () => {
    const labels = labelsFor({ id, projectId });
    expect(labels).toEqual({ [LABEL.managed]: 'true', [LABEL.application]: id, [LABEL.project]: projectId });
    // The wire format other tools (and older panels) filter on.
    expect(imageLabelsFor({ id, projectId }, projectId)).toEqual({
      'slipway.managed': 'true',
      'slipway.application': id,
      'slipway.project': projectId,
      'slipway.deployment': projectId,
    });
    expect(labelFilters()).toEqual(['slipway.managed=true']);
    expect(labelFilters(id)).toEqual(['slipway.managed=true', `slipway.application=${id}`]);
    expect(isOurs(labels, { appId: id, projectId })).toBe(true);
    expect(isOurs(labels, { appId: projectId })).toBe(false);
    expect(isOurs(labels, { projectId: id })).toBe(false);
    expect(isOurs({ ...labels, [LABEL.managed]: 'false' })).toBe(false);
    expect(isOurs({ [LABEL.application]: id }, { appId: id })).toBe(false);
    expect(isOurs(undefined)).toBe(false);
    expect(isOurs(null)).toBe(false);
  });
});
