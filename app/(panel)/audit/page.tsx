import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { z } from 'zod';

import { buttonClasses } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { DateTime } from '@/components/ui/date-time';
import { EmptyState } from '@/components/ui/empty-state';
import { FilterField, FilterForm, filterInvalid } from '@/components/ui/filter-form';
import { Input } from '@/components/ui/input';
import { listAuditLogs, type AuditLogItem, type AuditLogPage } from '@/lib/audit/query';
import { deniedEntry } from '@/lib/audit/refusal';
import { AUDIT_RESOURCE_TYPES } from '@/lib/audit/write';
import { can } from '@/lib/auth/permissions';
import { requireUser, type SessionUser } from '@/lib/auth/session';
import { getDb } from '@/lib/db';
import { asSystem } from '@/lib/db/context';
import { recordRefusal } from '@/lib/db/work';
import { getRequestMeta } from '@/lib/http/request-meta';
import { filtersFrom, hrefWith, type SearchParams } from '@/lib/http/search-params';
import { auditFiltersSchema } from '@/lib/validation/audit';

export const dynamic = 'force-dynamic';

export const metadata: Metadata = { title: 'Audit log' };

const FILTER_FIELDS = ['user', 'action', 'resourceType', 'resourceId', 'from', 'to'] as const;
type Filters = Partial<Record<(typeof FILTER_FIELDS)[number] | 'cursor' | 'limit', string>>;
type FieldErrors = Partial<Record<keyof Filters, string[]>>;

const auditHref = (filters: Filters) => hrefWith('/audit', filters);

/** The same filters from the newest entry on (what "Newest" and a refused cursor link to). */
const withoutCursor = (filters: Filters): Filters => ({ ...filters, cursor: undefined });

// The page answers "not found" rather than "forbidden" (it does not confirm what exists), and says why in the log.
async function recordDenied(user: SessionUser) {
  const ctx = { actor: user, meta: await getRequestMeta() };
  await recordRefusal(
    await getDb(),
    deniedEntry(ctx, { action: 'audit.read', resourceType: 'user', resourceId: user.id, details: { path: '/audit' } }),
  );
}

export default async function AuditPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const user = await requireUser();
  if (!can(user, 'audit.read', { type: 'platform' })) {
    await recordDenied(user);
    notFound();
  }

  const params = await searchParams;
  const filters: Filters = filtersFrom(params, [...FILTER_FIELDS, 'cursor', 'limit']);
  const parsed = auditFiltersSchema.safeParse(filters);
  const errors: FieldErrors = parsed.success ? {} : z.flattenError(parsed.error).fieldErrors;
  // audit_logs has no row-level security: the can() check above is the authorization.
  const page = parsed.success ? await asSystem(await getDb(), (tx) => listAuditLogs(tx, filters)) : null;
  const linkError = errors.cursor?.[0] ?? errors.limit?.[0];

  return (
    <div className="flex flex-col gap-6">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">Audit log</h1>
        <p className="mt-1 text-sm text-muted">
          Every change made on this server, failed sign-ins and refused requests, newest first. Times are UTC.
        </p>
      </div>

      <AuditFilters filters={filters} errors={errors} />

      {linkError && (
        <p role="alert" className="text-sm text-red-700 dark:text-red-400">
          {linkError}{' '}
          <Link
            href={auditHref({
              ...filters,
              cursor: errors.cursor ? undefined : filters.cursor,
              limit: errors.limit ? undefined : filters.limit,
            })}
            className="font-medium underline"
          >
            Newest entries
          </Link>
        </p>
      )}

      {page && <Results page={page} filters={filters} />}
    </div>
  );
}

function AuditFilters({ filters, errors }: { filters: Filters; errors: FieldErrors }) {
  const filtered = FILTER_FIELDS.some((field) => filters[field]);
  const invalid = (field: keyof Filters) => filterInvalid(field, errors[field]);
  const text = { autoCapitalize: 'none', autoComplete: 'off', spellCheck: false } as const;
  return (
    <FilterForm action="/audit" label="Filter the audit log" filtered={filtered}>
      <FilterField id="user" label="User" errors={errors.user} className="sm:w-40">
        <Input
          id="user"
          name="user"
          defaultValue={filters.user}
          maxLength={50}
          placeholder="username"
          {...text}
          {...invalid('user')}
        />
      </FilterField>
      <FilterField id="action" label="Action" errors={errors.action} className="sm:w-48">
        <Input
          id="action"
          name="action"
          defaultValue={filters.action}
          maxLength={101}
          placeholder="user.* or project.create"
          {...text}
          {...invalid('action')}
        />
      </FilterField>
      <FilterField id="resourceType" label="Resource" errors={errors.resourceType} className="sm:w-36">
        <select
          id="resourceType"
          name="resourceType"
          defaultValue={filters.resourceType ?? ''}
          className="h-9 w-full rounded-md border border-border bg-surface px-2 text-sm text-foreground aria-invalid:border-red-600"
          {...invalid('resourceType')}
        >
          <option value="">Any</option>
          {AUDIT_RESOURCE_TYPES.map((type) => (
            <option key={type} value={type}>
              {type}
            </option>
          ))}
        </select>
      </FilterField>
      <FilterField id="resourceId" label="Resource id" errors={errors.resourceId} className="sm:w-80">
        <Input
          id="resourceId"
          name="resourceId"
          defaultValue={filters.resourceId}
          maxLength={36}
          placeholder="uuid"
          {...text}
          {...invalid('resourceId')}
        />
      </FilterField>
      <FilterField id="from" label="From" errors={errors.from} className="sm:w-40">
        <Input id="from" name="from" type="date" defaultValue={filters.from} {...invalid('from')} />
      </FilterField>
      <FilterField id="to" label="To (included)" errors={errors.to} className="sm:w-40">
        <Input id="to" name="to" type="date" defaultValue={filters.to} {...invalid('to')} />
      </FilterField>
      {filters.limit && !errors.limit && <input type="hidden" name="limit" value={filters.limit} />}
    </FilterForm>
  );
}

function Results({ page, filters }: { page: AuditLogPage; filters: Filters }) {
  if (page.items.length === 0) {
    if (filters.cursor) {
      return (
        <EmptyState
          title="No older entries"
          action={
            <Link href={auditHref(withoutCursor(filters))} className={buttonClasses()}>
              Newest entries
            </Link>
          }
        />
      );
    }
    if (FILTER_FIELDS.some((field) => filters[field])) {
      return (
        <EmptyState
          title="No entries match these filters"
          action={
            <Link href="/audit" className={buttonClasses()}>
              Clear filters
            </Link>
          }
        >
          A date range or an action prefix (e.g. <code className="font-mono">user.*</code>) may find what you look for.
        </EmptyState>
      );
    }
    return (
      <EmptyState title="No audit entries yet">Changes, sign-ins and refused requests will be listed here.</EmptyState>
    );
  }

  return (
    <>
      <Card className="overflow-x-auto">
        <table className="w-full text-left text-sm">
          <thead className="border-b border-border bg-subtle/60 text-xs text-muted">
            <tr>
              {['Time (UTC)', 'User', 'Action', 'Resource', 'IP', 'User agent', 'Details'].map((heading) => (
                <th key={heading} scope="col" className="px-3 py-2.5 font-medium whitespace-nowrap">
                  {heading}
                </th>
              ))}
            </tr>
          </thead>
          <tbody className="divide-y divide-border">
            {page.items.map((item) => (
              <AuditRow key={item.id} item={item} filters={filters} />
            ))}
          </tbody>
        </table>
      </Card>
      <nav aria-label="Pages" className="flex items-center justify-between gap-4">
        {filters.cursor ? (
          <Link href={auditHref(withoutCursor(filters))} className={buttonClasses('ghost')}>
            ← Newest
          </Link>
        ) : (
          <span />
        )}
        {page.nextCursor && (
          <Link href={auditHref({ ...filters, cursor: page.nextCursor })} className={buttonClasses()}>
            Older →
          </Link>
        )}
      </nav>
    </>
  );
}

const shorten = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

function AuditRow({ item, filters }: { item: AuditLogItem; filters: Filters }) {
  const base = withoutCursor(filters);
  const details = JSON.stringify(item.details);
  return (
    <tr className="align-top hover:bg-subtle/40">
      <td className="px-3 py-2 font-mono text-xs whitespace-nowrap tabular-nums">
        <DateTime value={item.createdAt} />
      </td>
      <td className="px-3 py-2 whitespace-nowrap">
        {item.username ? (
          <Link href={auditHref({ ...base, user: item.username })} className="hover:underline">
            {item.username}
          </Link>
        ) : (
          <span className="text-muted" title="Written for no one (the system), or by an account since deleted">
            —
          </span>
        )}
      </td>
      <td className="px-3 py-2 font-mono text-xs whitespace-nowrap">
        <Link href={auditHref({ ...base, action: item.action })} className="hover:underline">
          {item.action}
        </Link>
      </td>
      <td className="px-3 py-2 whitespace-nowrap">
        <span>{item.resourceType}</span>
        {item.resourceId && (
          <Link
            href={auditHref({ ...base, resourceType: item.resourceType, resourceId: item.resourceId })}
            title={item.resourceId}
            className="ml-1 font-mono text-xs text-muted hover:underline"
          >
            {item.resourceId.slice(0, 8)}
          </Link>
        )}
      </td>
      <td className="px-3 py-2 font-mono text-xs whitespace-nowrap text-muted">{item.ip ?? '—'}</td>
      <td className="max-w-48 px-3 py-2 text-xs text-muted" title={item.userAgent ?? undefined}>
        {item.userAgent ? shorten(item.userAgent, 40) : '—'}
      </td>
      <td className="px-3 py-2">
        <code
          className="line-clamp-2 max-w-sm font-mono text-xs break-all"
          title={details.length > 120 ? details : undefined}
        >
          {details === '{}' ? '' : shorten(details, 240)}
        </code>
      </td>
    </tr>
  );
}
