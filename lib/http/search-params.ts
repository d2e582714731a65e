// The query string of the list pages (dashboard, users, audit log): read the filters a GET form submitted, and
// build the links that keep them (next page, first page, "only this user"). A filter left blank is no filter, so it
// is neither kept in the object nor written into a link.

/** What Next.js hands a page as `searchParams`. */
export type SearchParams = Record<string, string | string[] | undefined>;

/** The first value of a parameter: `?q=a&q=b` means `a`, as a form with one field named q would send. */
export const first = (value: string | string[] | undefined): string | undefined =>
  Array.isArray(value) ? value[0] : value;

/** The named parameters, each its first value trimmed, blank ones left out. */
export function filtersFrom<K extends string>(params: SearchParams, keys: readonly K[]): Partial<Record<K, string>> {
  const filters: Partial<Record<K, string>> = {};
  for (const key of keys) {
    const value = first(params[key])?.trim();
    if (value) filters[key] = value;
  }
  return filters;
}

/** `path` with the non-blank `params` as its query string, or `path` alone when none is left. */
export function hrefWith(path: string, params: Record<string, string | null | undefined>): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value) query.set(key, value);
  const text = query.toString();
  return text ? `${path}?${text}` : path;
}
