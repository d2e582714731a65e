-- Row-level security on projects (spec, "Row-Level Security"), driven by the transaction-local setting app.user_id.
-- FORCE makes the policies bind the table owner too: the panel connects as the role that owns the tables, and that
-- role must not see another user's projects by accident. Superusers still bypass RLS, so the panel refuses to run
-- as one (lib/db/connection.ts). Background work that is not done for a user (the deploy worker, retention, seed)
-- opts out explicitly with app.rls_bypass = 'on' in its own transaction; see docs/decisions.md.

-- NULL (no rows) when app.user_id is unset or was reset to '' at the end of an earlier transaction.
CREATE FUNCTION app_current_user_id() RETURNS uuid
  LANGUAGE sql STABLE PARALLEL SAFE
  AS $$ SELECT NULLIF(current_setting('app.user_id', true), '')::uuid $$;

CREATE FUNCTION app_rls_bypass() RETURNS boolean
  LANGUAGE sql STABLE PARALLEL SAFE
  AS $$ SELECT coalesce(current_setting('app.rls_bypass', true), '') = 'on' $$;

ALTER TABLE projects ENABLE ROW LEVEL SECURITY;
ALTER TABLE projects FORCE ROW LEVEL SECURITY;

-- Users can view projects they own or are team members of.
CREATE POLICY projects_select_policy ON projects
  FOR SELECT
  USING (
    owner_id = app_current_user_id()
    OR team_id IN (SELECT team_id FROM team_members WHERE user_id = app_current_user_id())
  );

-- Only owners can delete projects.
CREATE POLICY projects_delete_policy ON projects
  FOR DELETE
  USING (owner_id = app_current_user_id());

-- A user creates projects in their own name, in a team only where they are a member who may write.
CREATE POLICY projects_insert_policy ON projects
  FOR INSERT
  WITH CHECK (
    owner_id = app_current_user_id()
    AND (team_id IS NULL OR team_id IN (
      SELECT team_id FROM team_members WHERE user_id = app_current_user_id() AND role IN ('owner', 'admin', 'member')))
  );

-- The owner, or a team member who may write, updates a project; the result must stay visible to them.
CREATE POLICY projects_update_policy ON projects
  FOR UPDATE
  USING (
    owner_id = app_current_user_id()
    OR team_id IN (SELECT team_id FROM team_members
                    WHERE user_id = app_current_user_id() AND role IN ('owner', 'admin', 'member'))
  )
  WITH CHECK (
    owner_id = app_current_user_id()
    OR team_id IN (SELECT team_id FROM team_members
                    WHERE user_id = app_current_user_id() AND role IN ('owner', 'admin', 'member'))
  );

CREATE POLICY projects_system_policy ON projects
  FOR ALL
  USING (app_rls_bypass())
  WITH CHECK (app_rls_bypass());

-- A policy cannot compare the new row with the old one, so a writing team member could otherwise make a team
-- project their own (owner_id := themselves) and then delete it. Only the owner changes owner or team.
CREATE FUNCTION projects_keep_owner() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- Deleting a team sets team_id to NULL through its foreign key (a nested trigger): that is not a move.
  IF pg_trigger_depth() > 1 AND NEW.team_id IS NULL AND NEW.owner_id IS NOT DISTINCT FROM OLD.owner_id THEN
    RETURN NEW;
  END IF;
  IF (NEW.owner_id IS DISTINCT FROM OLD.owner_id OR NEW.team_id IS DISTINCT FROM OLD.team_id)
     AND NOT app_rls_bypass()
     AND OLD.owner_id IS DISTINCT FROM app_current_user_id() THEN
    RAISE EXCEPTION 'only the owner of project % may change its owner or team', OLD.id
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  -- The update policy cannot tell a move from an edit: moving into a team needs write membership of that team.
  IF NEW.team_id IS NOT NULL AND NEW.team_id IS DISTINCT FROM OLD.team_id AND NOT app_rls_bypass()
     AND NOT EXISTS (SELECT 1 FROM team_members WHERE team_id = NEW.team_id AND user_id = app_current_user_id()
                       AND role IN ('owner', 'admin', 'member')) THEN
    RAISE EXCEPTION 'project % can only move into a team you are a member of', OLD.id
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END $$;

CREATE TRIGGER projects_keep_owner
  BEFORE UPDATE OF owner_id, team_id ON projects
  FOR EACH ROW EXECUTE FUNCTION projects_keep_owner();
