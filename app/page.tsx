import type { Metadata } from 'next';
import Link from 'next/link';
import { z } from 'zod';

import { StatusBadge } from '@/components/status-badge';
import { Badge } from '@/components/ui/badge';
import { buttonClasses } from '@/components/ui/button';
import { EmptyState } from '@/components/ui/empty-state';
import { FilterField, FilterForm, filterInvalid } from '@/components/ui/filter-form';
import { Input } from '@/components/ui/input';
import { Pager } from '@/components/ui/pager';
import { DataTable } from '@/components/ui/table';
import { can } from '@/lib/auth/permissions';
import { requireUser } from '@/lib/auth/session';
import { getDb } from '@/lib/db';
import { asUser } from '@/lib/db/context';
import { filtersFrom, hrefWith, type SearchParams } from '@/lib/http/search-params';
import { listDashboardProjects, type DashboardPage, type DashboardProject } from '@/lib/projects/dashboard';
import { dashboardOptionsSchema, dashboardTagSchema } from '@/lib/validation/dashboard';

export const dynamic = 'force-dynamic';

export const metadata: Metadata = { title: { absolute: 'Dashboard · Slipway' } };

type Filters = { q?: string; tag?: string; after?: string };

const dashboardHref = ({ q, tag, after }: Filters) => hrefWith('/', { q, tag, after });

export default async function DashboardPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const user = await requireUser();
  const params = await searchParams;
  const filters: Filters = filtersFrom(params, ['q', 'tag', 'after']);
  const options = { search: filters.q, tag: filters.tag, after: filters.after };
  const parsed = dashboardOptionsSchema.safeParse(options);
  const errors = parsed.success ? {} : z.flattenError(parsed.error).fieldErrors;
  // As this user: row-level security shows only the projects they own or share a team with.
  const page = parsed.success ? await asUser(await getDb(), user.id, (tx) => listDashboardProjects(tx, options)) : null;
  const canCreate = can(user, 'project.create', { type: 'platform' });

  return (
    <div className="flex flex-col gap-6">
      <div className="flex flex-wrap items-start justify-between gap-4">
        <div>
          <h1 className="text-2xl font-semibold tracking-tight">Projects</h1>
          <p className="mt-1 text-sm text-muted">
            Your projects and your teams&apos; projects, with their applications by status.
          </p>
        </div>
        {canCreate && (
          <Link href="/projects/new" className={buttonClasses('primary')}>
            New project
          </Link>
        )}
      </div>

      <ProjectFilters filters={filters} errors={errors} />

      {errors.after && (
        <p role="alert" className="text-sm text-red-700 dark:text-red-400">
          {errors.after[0]}{' '}
          <Link href={dashboardHref({ q: filters.q, tag: filters.tag })} className="font-medium underline">
            First page
          </Link>
        </p>
      )}

      {page && <Results page={page} filters={filters} canCreate={canCreate} />}
    </div>
  );
}

function ProjectFilters({ filters, errors }: { filters: Filters; errors: { search?: string[]; tag?: string[] } }) {
  return (
    <FilterForm action="/" label="Filter projects" filtered={Boolean(filters.q || filters.tag)}>
      <FilterField id="q" label="Name contains" errors={errors.search} className="sm:w-72">
        <Input
          id="q"
          name="q"
          type="search"
          defaultValue={filters.q}
          maxLength={100}
          placeholder="Search projects"
          {...filterInvalid('q', errors.search)}
        />
      </FilterField>
      <FilterField id="tag" label="Tag" errors={errors.tag} className="sm:w-48">
        <Input
          id="tag"
          name="tag"
          defaultValue={filters.tag}
          maxLength={50}
          placeholder="e.g. critical"
          autoCapitalize="none"
          spellCheck={false}
          {...filterInvalid('tag', errors.tag)}
        />
      </FilterField>
    </FilterForm>
  );
}

function Results({ page, filters, canCreate }: { page: DashboardPage; filters: Filters; canCreate: boolean }) {
  if (page.items.length === 0) {
    if (filters.after) {
      return (
        <EmptyState
          title="No more projects"
          action={
            <Link href={dashboardHref({ q: filters.q, tag: filters.tag })} className={buttonClasses()}>
              First page
            </Link>
          }
        />
      );
    }
    if (filters.q || filters.tag) {
      return (
        <EmptyState
          title="No projects match these filters"
          action={
            <Link href="/" className={buttonClasses()}>
              Clear filters
            </Link>
          }
        >
          {filters.q && <>Name contains “{filters.q}”. </>}
          {filters.tag && <>Tagged “{filters.tag}”.</>}
        </EmptyState>
      );
    }
    return canCreate ? (
      <EmptyState
        title="No projects yet"
        action={
          <Link href="/projects/new" className={buttonClasses('primary')}>
            Create your first project
          </Link>
        }
      >
        <p>
          Create your first project: it holds your applications and their volumes. Then add an application to it from a
          Docker image, a git repository or a compose file. Projects your teams share with you appear here too.
        </p>
      </EmptyState>
    ) : (
      <EmptyState title="No projects yet">
        <p>
          Your account is a viewer: it reads projects but cannot create them. Ask a team owner or admin to invite you to
          their team, and its projects will appear here; or ask an administrator for a developer account.
        </p>
      </EmptyState>
    );
  }

  return (
    <>
      <DataTable headings={['Project', 'Team', 'Tags', { label: 'Apps', align: 'right' }, 'Status']}>
        {page.items.map((project) => (
          <ProjectRow key={project.id} project={project} />
        ))}
      </DataTable>
      <Pager
        firstHref={filters.after ? dashboardHref({ q: filters.q, tag: filters.tag }) : undefined}
        nextHref={
          page.nextCursor ? dashboardHref({ q: filters.q, tag: filters.tag, after: page.nextCursor }) : undefined
        }
      />
    </>
  );
}

function ProjectRow({ project }: { project: DashboardProject }) {
  const { counts } = project;
  return (
    <tr className="align-top hover:bg-subtle/40">
      <th scope="row" className="min-w-48 px-4 py-3 font-normal">
        <div className="font-medium">
          <Link href={`/projects/${project.id}`} className="hover:underline">
            {project.name}
          </Link>
        </div>
        {project.description && (
          <p className="mt-0.5 line-clamp-2 max-w-xs text-xs text-muted">{project.description}</p>
        )}
      </th>
      <td className="px-4 py-3 whitespace-nowrap text-muted">{project.teamName ?? '—'}</td>
      <td className="px-4 py-3">
        {project.tags.length === 0 && <span className="text-muted">—</span>}
        <ul className="flex min-w-32 flex-wrap gap-1">
          {project.tags.map((tag) => (
            <li key={tag}>
              {/* Tags stored in a shape the filter refuses are shown, not linked. */}
              {dashboardTagSchema.safeParse(tag).success ? (
                <Link href={dashboardHref({ tag })} title={`Show projects tagged ${tag}`}>
                  <Badge className="hover:bg-border">{tag}</Badge>
                </Link>
              ) : (
                <Badge>{tag}</Badge>
              )}
            </li>
          ))}
        </ul>
      </td>
      <td className="px-4 py-3 text-right tabular-nums">{counts.total}</td>
      <td className="px-4 py-3">
        {counts.total === 0 ? (
          <span className="text-muted">No applications</span>
        ) : (
          <div className="flex gap-1">
            <StatusBadge status="running" count={counts.running} />
            <StatusBadge status="stopped" count={counts.stopped} />
            <StatusBadge status="failed" count={counts.failed} />
            <StatusBadge status="deploying" count={counts.deploying} />
            {counts.scaling > 0 && <StatusBadge status="scaling" count={counts.scaling} />}
          </div>
        )}
      </td>
    </tr>
  );
}
