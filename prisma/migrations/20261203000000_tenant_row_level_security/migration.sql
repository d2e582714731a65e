-- Row-level security on every table that belongs to a project (issue 12, "The second wall on every tenant table"):
-- the same rule as on projects (20261127000300_row_level_security, decision D7), reached through the owning project.
-- A person sees a row when they can see its parent, and writes it when they may write the project it belongs to
-- (its owner, or a team owner/admin/member, like projects_update_policy). ENABLE and FORCE, as on projects: the panel
-- connects as the role that owns the tables. Foreign-key checks and cascades still bypass RLS (PostgreSQL runs them
-- as the table owner without row security), so deleting a project still removes everything under it.
--
-- Reads go through the parent's own policy: EXISTS (SELECT 1 FROM <parent> WHERE id = <fk>) sees the parent only
-- when its policy admits it, so a deployment log is visible exactly when its deployment is, and so on up to the
-- project. Each step is a primary-key lookup (the planner may also hash the parent's visible ids once per query),
-- and every foreign key a policy follows has an index.
--
-- The system bypass is the one projects has (app.rls_bypass = 'on', set by asSystem()), folded into each policy as
-- its first term and wrapped in a sub-select: evaluated once per statement (an InitPlan), and system work over many
-- rows (retention deleting a million log lines, the worker) never runs the per-row tenant checks.

-- May the current user write this project? The rule of projects_update_policy, as a function the child tables'
-- write policies call. NULL (no such project, or one the user cannot see) is false.
CREATE FUNCTION app_can_write_project(project uuid) RETURNS boolean
  LANGUAGE sql STABLE PARALLEL SAFE
  AS $$
    SELECT EXISTS (
      SELECT 1 FROM projects p
       WHERE p.id = $1
         AND (p.owner_id = app_current_user_id()
              OR p.team_id IN (SELECT team_id FROM team_members
                                WHERE user_id = app_current_user_id() AND role IN ('owner', 'admin', 'member'))))
  $$;

-- The same question one level down, for the tables owned through an application, database, deployment, git source
-- or domain. Each reads its parent under the parent's own policy. Bodies use $1: a parameter named like a column
-- (domains.domain) would lose to the column.
CREATE FUNCTION app_can_write_application(application uuid) RETURNS boolean
  LANGUAGE sql STABLE PARALLEL SAFE
  AS $$ SELECT app_can_write_project((SELECT project_id FROM applications WHERE id = $1)) $$;

CREATE FUNCTION app_can_write_database(database uuid) RETURNS boolean
  LANGUAGE sql STABLE PARALLEL SAFE
  AS $$ SELECT app_can_write_project((SELECT project_id FROM databases WHERE id = $1)) $$;

CREATE FUNCTION app_can_write_domain(domain uuid) RETURNS boolean
  LANGUAGE sql STABLE PARALLEL SAFE
  AS $$ SELECT app_can_write_project((SELECT project_id FROM domains WHERE id = $1)) $$;

CREATE FUNCTION app_can_write_deployment(deployment uuid) RETURNS boolean
  LANGUAGE sql STABLE PARALLEL SAFE
  AS $$ SELECT app_can_write_application((SELECT application_id FROM deployments WHERE id = $1)) $$;

CREATE FUNCTION app_can_write_git_source(git_source uuid) RETURNS boolean
  LANGUAGE sql STABLE PARALLEL SAFE
  AS $$ SELECT app_can_write_application((SELECT application_id FROM git_sources WHERE id = $1)) $$;

-- One row per table: who sees a row, who writes it, and what else a new row must satisfy. INSERT and UPDATE check the
-- new row (an update cannot move a row into a project the user may not write); UPDATE and DELETE reach only rows the
-- user may write. A team viewer reads. The new-row conditions are not asked of a row being deleted: deleting an
-- application removes its domains in a trigger that runs after the application is gone.
DO $$
DECLARE
  t record;
  bypass constant text := '(SELECT app_rls_bypass())';
  new_row_check text;
BEGIN
  FOR t IN SELECT * FROM (VALUES
    ('applications', 'EXISTS (SELECT 1 FROM projects p WHERE p.id = applications.project_id)',
       'app_can_write_project(project_id)', NULL::text),
    ('databases', 'EXISTS (SELECT 1 FROM projects p WHERE p.id = databases.project_id)',
       'app_can_write_project(project_id)', NULL),
    -- A volume without a project (the spec's own shape, decision D24) is seen by nobody but the system. The one it is
    -- attached to must be in the same project: the volumes_set_project trigger fills project_id only from an owner
    -- the user can see, so an owner of another tenant's would otherwise pass with the user's own project_id.
    ('volumes', 'EXISTS (SELECT 1 FROM projects p WHERE p.id = volumes.project_id)',
       'app_can_write_project(project_id)',
       '(application_id IS NULL OR EXISTS (SELECT 1 FROM applications a
                                           WHERE a.id = volumes.application_id AND a.project_id = volumes.project_id))
        AND (database_id IS NULL OR EXISTS (SELECT 1 FROM databases d
                                            WHERE d.id = volumes.database_id AND d.project_id = volumes.project_id))'),
    -- A domain's target has no foreign key (it is polymorphic): it must be an application or database of the project.
    ('domains', 'EXISTS (SELECT 1 FROM projects p WHERE p.id = domains.project_id)',
       'app_can_write_project(project_id)',
       'CASE target_type
          WHEN ''application'' THEN EXISTS (SELECT 1 FROM applications a
                                             WHERE a.id = domains.target_id AND a.project_id = domains.project_id)
          WHEN ''database'' THEN EXISTS (SELECT 1 FROM databases d
                                          WHERE d.id = domains.target_id AND d.project_id = domains.project_id)
          ELSE false
        END'),
    ('git_sources', 'EXISTS (SELECT 1 FROM applications a WHERE a.id = git_sources.application_id)',
       'app_can_write_application(application_id)', NULL),
    ('deployments', 'EXISTS (SELECT 1 FROM applications a WHERE a.id = deployments.application_id)',
       'app_can_write_application(application_id)', NULL),
    ('env_vars', 'EXISTS (SELECT 1 FROM applications a WHERE a.id = env_vars.application_id)',
       'app_can_write_application(application_id)', NULL),
    ('deployment_logs', 'EXISTS (SELECT 1 FROM deployments d WHERE d.id = deployment_logs.deployment_id)',
       'app_can_write_deployment(deployment_id)', NULL),
    ('webhook_deliveries', 'EXISTS (SELECT 1 FROM git_sources g WHERE g.id = webhook_deliveries.git_source_id)',
       'app_can_write_git_source(git_source_id)', NULL),
    ('certificates', 'EXISTS (SELECT 1 FROM domains d WHERE d.id = certificates.domain_id)',
       'app_can_write_domain(domain_id)', NULL),
    ('backups', 'EXISTS (SELECT 1 FROM databases d WHERE d.id = backups.database_id)',
       'app_can_write_database(database_id)', NULL)
  ) AS v(name, visible, writable, new_row) LOOP
    new_row_check := t.writable || coalesce(' AND ' || t.new_row, '');
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t.name);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t.name);
    EXECUTE format('CREATE POLICY %I ON %I FOR SELECT USING (%s OR %s)',
                   t.name || '_select_policy', t.name, bypass, t.visible);
    EXECUTE format('CREATE POLICY %I ON %I FOR INSERT WITH CHECK (%s OR (%s))',
                   t.name || '_insert_policy', t.name, bypass, new_row_check);
    EXECUTE format('CREATE POLICY %I ON %I FOR UPDATE USING (%s OR %s) WITH CHECK (%s OR (%s))',
                   t.name || '_update_policy', t.name, bypass, t.writable, bypass, new_row_check);
    EXECUTE format('CREATE POLICY %I ON %I FOR DELETE USING (%s OR %s)',
                   t.name || '_delete_policy', t.name, bypass, t.writable);
  END LOOP;
END $$;

-- deployment_logs is partitioned: a query through it uses its policies, but a partition named directly would use
-- its own, and has none. Nothing reads a partition by name except the system (operators, tests), so each partition
-- gets RLS with the system policy alone: by name, a person sees nothing.
DO $$
DECLARE
  part record;
BEGIN
  FOR part IN
    SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent = 'public.deployment_logs'::regclass ORDER BY c.relname
  LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', part.name);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', part.name);
    EXECUTE format('CREATE POLICY %I ON %I FOR ALL USING (app_rls_bypass()) WITH CHECK (app_rls_bypass())',
                   part.name || '_system_policy', part.name);
  END LOOP;
END $$;

-- Volume names are unique on the server (Docker's rule), across tenants, and the panel says a name is taken whoever
-- holds it: the unique index would tell anyway. This answers that one yes/no question past row-level security and
-- nothing about the volume holding the name. The bypass is on for its one query only (a function's own SET clause
-- may not name app.rls_bypass unless a superuser made it), and restored before it returns.
CREATE FUNCTION volume_name_taken(volume_name text) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
  previous text := current_setting('app.rls_bypass', true);
  taken boolean;
BEGIN
  PERFORM set_config('app.rls_bypass', 'on', true);
  SELECT EXISTS (SELECT 1 FROM volumes WHERE name = volume_name) INTO taken;
  PERFORM set_config('app.rls_bypass', coalesce(previous, ''), true);
  RETURN taken;
END $$;
