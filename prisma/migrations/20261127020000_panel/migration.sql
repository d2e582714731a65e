-- The panel's screens (issue 4): which project a volume belongs to, and applications.env_vars as a derived mirror.

-- volumes.project_id ----------------------------------------------------------------------------------------------
-- The spec gives a volume no project, yet a volume outlives its attachment (deleting an attached volume is refused,
-- so it is detached first): without a project a detached volume would belong to nobody and no one could be allowed
-- to see or delete it. project_id is filled from the owner on every write (decision D24); it stays nullable so
-- rows written without it (the spec's own shape) remain valid, and such a volume is shown to nobody until attached.
-- ON DELETE SET NULL, not RESTRICT: deleting a project must still be refused by the spec's own rule (an attached
-- volume RESTRICTs its application), and the panel refuses to delete a project that has any volume, naming them.
ALTER TABLE volumes ADD COLUMN project_id uuid;
ALTER TABLE volumes ADD CONSTRAINT volumes_project_id_fkey
  FOREIGN KEY (project_id) REFERENCES projects(id) ON DELETE SET NULL ON UPDATE CASCADE;
CREATE INDEX volumes_project_id_idx ON volumes (project_id);

CREATE FUNCTION volumes_set_project() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  owner_project uuid;
BEGIN
  IF NEW.application_id IS NOT NULL THEN
    SELECT project_id INTO owner_project FROM applications WHERE id = NEW.application_id;
  ELSIF NEW.database_id IS NOT NULL THEN
    SELECT project_id INTO owner_project FROM databases WHERE id = NEW.database_id;
  END IF;
  IF owner_project IS NOT NULL THEN
    -- Attaching across projects would let one tenant mount another's data.
    IF TG_OP = 'UPDATE' AND OLD.project_id IS NOT NULL AND OLD.project_id <> owner_project THEN
      RAISE EXCEPTION 'volume % belongs to another project than the one it is being attached in', NEW.name
        USING ERRCODE = '23514';
    END IF;
    NEW.project_id := owner_project;
  END IF;
  -- Detaching leaves project_id as it was (the UPDATE does not touch it); an explicit change, or the foreign key's
  -- own SET NULL when the project is deleted, is kept as written.
  RETURN NEW;
END;
$$;

CREATE TRIGGER volumes_set_project BEFORE INSERT OR UPDATE ON volumes
  FOR EACH ROW EXECUTE FUNCTION volumes_set_project();

-- applications.env_vars ------------------------------------------------------------------------------------------
-- The env_vars table is the one place variables are written (plain and secret). applications.env_vars mirrors its
-- non-secret rows as {"KEY": "value"} so the spec's GIN index can answer "which applications set X=Y" (decision
-- D25). Statement-level triggers recompute each touched application once per statement, so a bulk save of 200
-- variables costs one recompute, not 200.
CREATE FUNCTION env_vars_sync_application(app_ids uuid[]) RETURNS void LANGUAGE sql AS $$
  UPDATE applications a
     SET env_vars = COALESCE(
           (SELECT jsonb_object_agg(e.key, e.value ORDER BY e.key)
              FROM env_vars e
             WHERE e.application_id = a.id AND NOT e.is_secret),
           '{}'::jsonb)
   WHERE a.id = ANY(app_ids);
$$;

CREATE FUNCTION env_vars_mirror_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM env_vars_sync_application(ARRAY(SELECT DISTINCT application_id FROM new_rows));
  RETURN NULL;
END;
$$;

CREATE FUNCTION env_vars_mirror_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM env_vars_sync_application(ARRAY(SELECT DISTINCT application_id FROM old_rows));
  RETURN NULL;
END;
$$;

CREATE FUNCTION env_vars_mirror_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM env_vars_sync_application(
    ARRAY(SELECT application_id FROM new_rows UNION SELECT application_id FROM old_rows));
  RETURN NULL;
END;
$$;

CREATE TRIGGER env_vars_mirror_insert AFTER INSERT ON env_vars
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION env_vars_mirror_insert();
CREATE TRIGGER env_vars_mirror_delete AFTER DELETE ON env_vars
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION env_vars_mirror_delete();
CREATE TRIGGER env_vars_mirror_update AFTER UPDATE ON env_vars
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION env_vars_mirror_update();

-- application_stats freshness ------------------------------------------------------------------------------------
-- The dashboard's counts come from the materialized view. Refreshed only every 30 s, a new application would be
-- missing from its project's counts for that long; instead every change that moves a count notifies, and the
-- panel's maintenance loop (LISTEN) refreshes shortly after, coalescing bursts (decision D16). Any process that
-- writes applications (panel, worker, psql) triggers it.
CREATE FUNCTION application_stats_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('slipway_application_stats', '');
  RETURN NULL;
END;
$$;

CREATE TRIGGER applications_stats_notify
  AFTER INSERT OR DELETE OR UPDATE OF status, deleted_at, project_id ON applications
  FOR EACH STATEMENT EXECUTE FUNCTION application_stats_notify();
