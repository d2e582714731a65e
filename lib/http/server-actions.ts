// What the edge (proxy.ts) refuses before Next.js runs a server action, each with a status and a short plain-text
// message instead of the 500 Next.js would answer: a post from another site (403; Next.js's own check throws), a
// malformed action id (400; Next.js logs a stack for each) and a body over the hard cap (413; over `serverActions.bodySizeLimit` Next.js throws too). Below the cap every field's
// own schema decides, so an oversized value gets its field's message in the form (D60). Pages take no POST but
// server actions (with JavaScript a fetch with Next-Action, without it a multipart form post), so every POST to a
// page is judged. No imports but origin.ts: next.config.ts loads this file.
import { CROSS_ORIGIN_REFUSED, isCrossOrigin } from './origin';

/** The most a server action may send: four times the largest field any form has (a 1 MB .env paste). */
export const ACTION_BODY_LIMIT_BYTES = 4 * 1024 * 1024;
export const ACTION_TOO_LARGE =
  'Refused: a form may send at most 4 MB and this one sent more. Shorten the longest value (a file belongs in a volume) and try again.';

export const ACTION_ID_MALFORMED =
  'Refused: this form names no action the panel could have made (a malformed action id). Reload the page and try again.';

/** Next.js 16 names a server action by 42 hex digits, and throws (with a stack in the log) on any other length. */
const ACTION_ID = /^[0-9a-f]{42}$/;

type ActionRequest = { method: string; headers: { get(name: string): string | null } };

/** The refusal of a POST to a page, or null to let Next.js handle it. */
export function refuseServerAction(request: ActionRequest): Response | null {
  if (request.method !== 'POST') return null;
  if (isCrossOrigin(request.headers)) return refusal(403, CROSS_ORIGIN_REFUSED);
  // Next.js logs a stack trace for every id it cannot even look up; a well-formed unknown id is its own 404.
  const actionId = request.headers.get('next-action');
  if (actionId !== null && !ACTION_ID.test(actionId)) return refusal(400, ACTION_ID_MALFORMED);
  // Browsers send Content-Length with every form body; a chunked body meets Next.js's own limit instead.
  const length = Number(request.headers.get('content-length') ?? 0);
  if (length > ACTION_BODY_LIMIT_BYTES) return refusal(413, ACTION_TOO_LARGE);
  return null;
}

const refusal = (status: number, message: string) =>
  new Response(`${message}\n`, {
    status,
    headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', connection: 'close' },
  });
