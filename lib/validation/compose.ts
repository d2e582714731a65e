// A compose application's file: stored as text in source_config and checked; Slipway does not deploy it yet (the
// deploy triggers refuse compose applications, lib/deploy/triggers.ts, after checking the stored file again with this
// same function). The checks are the ones that make a file usable at all (valid YAML, services that say what to run),
// the host powers no service may ask for (compose-host-access.ts), and the limits that keep a hostile file from
// costing the panel memory: a size cap and yaml's alias limit against "billion laughs" expansions.
import { parseDocument } from 'yaml';
import { z } from 'zod';

import { serviceHostAccessProblems, topLevelHostAccessProblems } from './compose-host-access';

export const COMPOSE_MAX_BYTES = 256 * 1024;
export const COMPOSE_MAX_SERVICES = 100;
// Anchors are common in compose files (x-defaults: &defaults); a hundred alias expansions is plenty for real ones.
const MAX_ALIAS_COUNT = 100;

export const SERVICE_NAME_RULE =
  'Service names use lowercase letters a–z, digits, hyphens (-) and underscores (_), start with a letter or digit, and have at most 63 characters.';
const SERVICE_NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;
const CONTROL = /[\p{Cc}\p{Cf}]/u;

export type ComposeSummary = { services: string[] };

const isMapping = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The file's problems as messages (empty when usable) and, when usable, the names of its services. */
export function checkCompose(text: string): { problems: string[]; summary?: ComposeSummary } {
  if (text.trim() === '') return { problems: ['Paste a compose file: YAML with a services: section.'] };
  if (new TextEncoder().encode(text).length > COMPOSE_MAX_BYTES) {
    return { problems: [`A compose file has at most ${COMPOSE_MAX_BYTES / 1024} KB.`] };
  }
  const doc = parseDocument(text, { merge: true, uniqueKeys: true, prettyErrors: true });
  const error = doc.errors[0];
  if (error) {
    const at = error.linePos?.[0];
    const where = at ? `Line ${at.line}, column ${at.col}` : 'The YAML';
    return { problems: [`${where}: ${error.message.split(' at line ')[0]}`] };
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch {
    return {
      problems: ['The file expands too many aliases (*name): write the repeated parts out, or use fewer of them.'],
    };
  }
  if (!isMapping(data)) return { problems: ['A compose file is a mapping (key: value) with a services: section.'] };
  const services = data.services;
  if (!isMapping(services) || Object.keys(services).length === 0) {
    return { problems: ['The file needs a services: section naming at least one service.'] };
  }
  const names = Object.keys(services);
  if (names.length > COMPOSE_MAX_SERVICES)
    return { problems: [`A compose file has at most ${COMPOSE_MAX_SERVICES} services.`] };

  const problems: string[] = [];
  for (const name of names) {
    const shown = JSON.stringify(name.slice(0, 40));
    if (!SERVICE_NAME.test(name)) {
      problems.push(`Service ${shown} is not a valid name. ${SERVICE_NAME_RULE}`);
      continue;
    }
    const service = services[name];
    if (!isMapping(service)) {
      problems.push(`Service ${shown} must be a mapping with an image: or a build: entry.`);
      continue;
    }
    const { image, build } = service;
    if (image === undefined && build === undefined) {
      problems.push(`Service ${shown} needs an image: (what to run) or a build: (how to build it).`);
    } else if (
      image !== undefined &&
      (typeof image !== 'string' || image.trim() === '' || /\s/.test(image) || CONTROL.test(image))
    ) {
      problems.push(`Service ${shown} has an image: that is not an image reference (one word, like nginx:1.27).`);
    } else if (build !== undefined && typeof build !== 'string' && !isMapping(build)) {
      problems.push(`Service ${shown} has a build: that is neither a path nor a mapping.`);
    }
    problems.push(...serviceHostAccessProblems(name, service));
  }
  problems.push(...topLevelHostAccessProblems(data));
  return problems.length ? { problems } : { problems, summary: { services: names } };
}

/** The compose text, unchanged when valid (it is stored as typed), with every problem reported. */
export const composeFileSchema = z.string('Paste a compose file.').superRefine((text, ctx) => {
  for (const message of checkCompose(text).problems) ctx.addIssue({ code: 'custom', message });
});
