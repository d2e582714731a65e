import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { z } from 'zod';

import { RoleSelect } from '@/components/role-select';
import { Badge, type BadgeTone } from '@/components/ui/badge';
import { buttonClasses } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { DateTime } from '@/components/ui/date-time';
import { EmptyState } from '@/components/ui/empty-state';
import { FilterField, FilterForm, filterInvalid } from '@/components/ui/filter-form';
import { Input } from '@/components/ui/input';
import { Pager } from '@/components/ui/pager';
import { DataTable } from '@/components/ui/table';
import { ASSIGNABLE_ROLES, can, PLATFORM_ROLES, type PlatformRole } from '@/lib/auth/permissions';
import { requireUser, type SessionUser } from '@/lib/auth/session';
import { getDb } from '@/lib/db';
import { runAsSystem } from '@/lib/db/work';
import { AppError } from '@/lib/errors';
import { getRequestMeta } from '@/lib/http/request-meta';
import { filtersFrom, hrefWith, type SearchParams } from '@/lib/http/search-params';
import { listUsers, type UserListItem, type UserListPage } from '@/lib/users/queries';
import { userListFiltersSchema } from '@/lib/validation/user';

import { CreateUserForm } from './_components/create-user-form';
import { PLATFORM_ROLE_LABELS } from './_components/role-labels';
import { DisableForm, RoleForm, SignOutUserForm } from './_components/user-row-actions';

export const dynamic = 'force-dynamic';

export const metadata: Metadata = { title: 'Users' };

type Filters = { q?: string; role?: string; after?: string };

const usersHref = ({ q, role, after }: Filters) => hrefWith('/users', { q, role, after });

const ROLE_TONES: Record<PlatformRole, BadgeTone> = {
  super_admin: 'violet',
  admin: 'blue',
  developer: 'neutral',
  viewer: 'muted',
};

export default async function UsersPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const user = await requireUser();
  const params = await searchParams;
  const filters: Filters = filtersFrom(params, ['q', 'role', 'after']);
  const parsed = userListFiltersSchema.safeParse(filters);
  const errors = parsed.success ? {} : z.flattenError(parsed.error).fieldErrors;

  let page: UserListPage;
  try {
    const ctx = { actor: user, meta: await getRequestMeta() };
    // listUsers asks can(user, 'user.list'); with filters it cannot read, the page lists everyone and says why.
    page = await runAsSystem(await getDb(), (tx) => listUsers(tx, ctx, parsed.success ? parsed.data : {}));
  } catch (error) {
    // "Not found" rather than "forbidden": the page does not confirm what exists. runAsSystem() logged authz.denied.
    if (error instanceof AppError && error.code === 'forbidden') notFound();
    throw error;
  }
  const assignable = ASSIGNABLE_ROLES[user.role];
  const filtered = parsed.success && Boolean(filters.q || filters.role);

  return (
    <div className="flex flex-col gap-6">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">Users</h1>
        <p className="mt-1 text-sm text-muted">
          Who may sign in, and with which role. Changing a role, disabling an account or signing someone out ends their
          sessions on their next request.
        </p>
      </div>

      {can(user, 'user.create', { type: 'platform' }) && (
        <Card className="p-6">
          <section aria-labelledby="new-user-title" className="space-y-4">
            <h2 id="new-user-title" className="text-base font-semibold">
              New user
            </h2>
            <CreateUserForm roles={assignable} />
          </section>
        </Card>
      )}

      <FilterForm action="/users" label="Filter users" filtered={Boolean(filters.q || filters.role)}>
        <FilterField id="q" label="Username or email contains" errors={errors.q} className="sm:w-72">
          <Input
            id="q"
            name="q"
            type="search"
            defaultValue={filters.q}
            maxLength={100}
            {...filterInvalid('q', errors.q)}
          />
        </FilterField>
        {/* Its own id: the New user form above has a field named role too. */}
        <FilterField id="role-filter" label="Role" errors={errors.role} className="sm:w-48">
          <RoleSelect
            id="role-filter"
            name="role"
            roles={PLATFORM_ROLES}
            labels={PLATFORM_ROLE_LABELS}
            anyLabel="Any role"
            defaultValue={filters.role ?? ''}
            {...filterInvalid('role-filter', errors.role)}
          />
        </FilterField>
      </FilterForm>

      {errors.after && (
        <p role="alert" className="text-sm text-red-700 dark:text-red-400">
          {errors.after[0]}
        </p>
      )}

      {page.items.length === 0 ? (
        <EmptyState
          title={filtered ? 'No users match these filters' : 'No more users'}
          action={
            <Link href="/users" className={buttonClasses()}>
              {filtered ? 'Clear filters' : 'First page'}
            </Link>
          }
        />
      ) : (
        <DataTable headings={['User', 'Role', 'Status', 'Actions']}>
          {page.items.map((item) => (
            <UserRow key={item.id} item={item} actor={user} assignable={assignable} />
          ))}
        </DataTable>
      )}

      <Pager
        firstHref={filters.after ? usersHref({ q: filters.q, role: filters.role }) : undefined}
        nextHref={page.nextCursor ? usersHref({ q: filters.q, role: filters.role, after: page.nextCursor }) : undefined}
      />
    </div>
  );
}

function UserRow({
  item,
  actor,
  assignable,
}: {
  item: UserListItem;
  actor: SessionUser;
  assignable: readonly PlatformRole[];
}) {
  const target = { id: item.id, username: item.username, role: item.role };
  const resource = { type: 'user' as const, id: item.id, role: item.role };
  const self = item.id === actor.id;
  const mayChangeRole = can(actor, 'user.update_role', resource) && assignable.includes(item.role);
  const mayDisable = can(actor, 'user.disable', resource);
  // Signing yourself out everywhere lives on the profile page.
  const maySignOut = !self && can(actor, 'user.sign_out_everywhere', resource);
  return (
    <tr className="align-top">
      <td className="px-4 py-3">
        <div className="font-medium">
          {item.username} {self && <Badge tone="muted">you</Badge>}
        </div>
        <div className="text-xs text-muted">{item.email}</div>
      </td>
      <td className="px-4 py-3">
        {mayChangeRole ? (
          <RoleForm user={target} roles={assignable} />
        ) : (
          <Badge tone={ROLE_TONES[item.role]}>{PLATFORM_ROLE_LABELS[item.role]}</Badge>
        )}
      </td>
      <td className="px-4 py-3">
        <div className="flex flex-wrap gap-1">
          {item.disabledAt ? <Badge tone="red">Disabled</Badge> : <Badge tone="green">Active</Badge>}
          {item.authProvider !== 'password' && <Badge tone="muted">{item.authProvider}</Badge>}
        </div>
        <div className="mt-1 text-xs text-muted">
          Since <DateTime value={item.createdAt} />
        </div>
      </td>
      <td className="px-4 py-3">
        {mayDisable || maySignOut ? (
          <div className="flex flex-wrap items-start gap-1">
            {mayDisable && <DisableForm user={target} disabled={item.disabledAt !== null} />}
            {maySignOut && <SignOutUserForm user={target} />}
          </div>
        ) : (
          <span className="text-xs text-muted">
            {self ? 'Change your own account on your profile.' : 'Only a super admin can change this account.'}
          </span>
        )}
      </td>
    </tr>
  );
}
