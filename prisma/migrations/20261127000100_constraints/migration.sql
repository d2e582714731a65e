-- Every constraint of the spec, enforced by PostgreSQL itself (docs/decisions.md explains the additions).

-- users ---------------------------------------------------------------------------------------------------------
ALTER TABLE users ADD CONSTRAINT check_username_format CHECK (username ~ '^[a-z0-9_-]{3,50}$');
ALTER TABLE users ADD CONSTRAINT check_email_format CHECK (email ~ '^[^@[:space:]]+@[^@[:space:]]+\.[^@[:space:]]+$');
ALTER TABLE users ADD CONSTRAINT check_user_role CHECK (role IN ('super_admin', 'admin', 'developer', 'viewer'));
ALTER TABLE users ADD CONSTRAINT check_auth_provider CHECK (auth_provider IN ('password', 'github'));
-- "password_hash required unless using SSO".
ALTER TABLE users ADD CONSTRAINT check_password_required CHECK (auth_provider <> 'password' OR password_hash IS NOT NULL);
ALTER TABLE users ADD CONSTRAINT check_preferences_object CHECK (jsonb_typeof(preferences) = 'object');
-- Sign-in looks emails up case-insensitively, so two spellings of one address cannot both exist.
CREATE UNIQUE INDEX users_email_lower_key ON users (lower(email));

-- teams and members ---------------------------------------------------------------------------------------------
ALTER TABLE teams ADD CONSTRAINT check_team_name_length CHECK (char_length(name) BETWEEN 3 AND 100);
ALTER TABLE teams ADD CONSTRAINT check_team_settings_object CHECK (jsonb_typeof(settings) = 'object');
ALTER TABLE team_members ADD CONSTRAINT check_team_member_role CHECK (role IN ('owner', 'admin', 'member', 'viewer'));

-- "At least one owner per team": the last owner cannot leave, be removed or be demoted. Checked at commit so an
-- ownership hand-over can add the new owner and demote the old one in either order. A team being deleted, and a
-- membership removed because the user account itself is deleted, are exempt (docs/decisions.md, D11).
CREATE FUNCTION enforce_team_keeps_owner() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  team_name text;
BEGIN
  IF OLD.role <> 'owner' THEN
    RETURN NULL;
  END IF;
  SELECT name INTO team_name FROM teams WHERE id = OLD.team_id;
  IF team_name IS NULL OR NOT EXISTS (SELECT 1 FROM users WHERE id = OLD.user_id) THEN
    RETURN NULL;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM team_members WHERE team_id = OLD.team_id AND role = 'owner') THEN
    RAISE EXCEPTION 'team "%" must keep at least one owner', team_name
      USING ERRCODE = 'check_violation', CONSTRAINT = 'team_keeps_owner',
            HINT = 'Make another member owner first, or delete the team.';
  END IF;
  RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER team_keeps_owner
  AFTER UPDATE OR DELETE ON team_members
  DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION enforce_team_keeps_owner();

-- projects ------------------------------------------------------------------------------------------------------
ALTER TABLE projects ADD CONSTRAINT check_project_name_length CHECK (char_length(name) BETWEEN 3 AND 100);
ALTER TABLE projects ADD CONSTRAINT check_project_metadata_object CHECK (jsonb_typeof(metadata) = 'object');

-- applications --------------------------------------------------------------------------------------------------
ALTER TABLE applications ADD CONSTRAINT check_app_type CHECK (type IN ('docker', 'git', 'compose'));
-- 'archived' is the status the spec's soft delete writes.
ALTER TABLE applications ADD CONSTRAINT check_app_status
  CHECK (status IN ('stopped', 'deploying', 'running', 'failed', 'scaling', 'archived'));
ALTER TABLE applications ADD CONSTRAINT check_replicas_non_negative CHECK (replicas >= 0);
ALTER TABLE applications ADD CONSTRAINT check_app_source_type
  CHECK (source_type IS NULL OR source_type IN ('github', 'gitlab', 'bitbucket', 'gitea', 'git', 'docker', 'docker_compose'));
ALTER TABLE applications ADD CONSTRAINT check_app_name
  CHECK (char_length(name) BETWEEN 1 AND 255 AND name !~ '[[:cntrl:]]' AND name = btrim(name));
ALTER TABLE applications ADD CONSTRAINT check_app_json_objects
  CHECK (jsonb_typeof(source_config) = 'object' AND jsonb_typeof(docker_config) = 'object' AND jsonb_typeof(env_vars) = 'object');

-- git_sources ---------------------------------------------------------------------------------------------------
ALTER TABLE git_sources ADD CONSTRAINT check_git_provider CHECK (provider IN ('github', 'gitlab', 'bitbucket', 'gitea'));
-- Values that reach git: no whitespace or control characters, nothing that git could read as an option.
ALTER TABLE git_sources ADD CONSTRAINT check_git_repository
  CHECK (char_length(repository) > 0 AND repository !~ '[[:space:][:cntrl:]]' AND repository !~ '^-' AND repository !~* '^ext::');
ALTER TABLE git_sources ADD CONSTRAINT check_git_branch
  CHECK (branch ~ '^[A-Za-z0-9._/-]+$' AND branch !~ '^[-/.]' AND branch !~ '\.\.' AND branch !~ '/$' AND branch !~ '\.lock$');
ALTER TABLE git_sources ADD CONSTRAINT check_git_commit_sha CHECK (commit_sha IS NULL OR commit_sha ~ '^[0-9a-f]{4,40}$');
ALTER TABLE git_sources ADD CONSTRAINT check_webhook_config_object CHECK (jsonb_typeof(webhook_config) = 'object');

-- databases -----------------------------------------------------------------------------------------------------
ALTER TABLE databases ADD CONSTRAINT check_db_type CHECK (type IN ('postgresql', 'mysql', 'mongodb', 'redis'));
ALTER TABLE databases ADD CONSTRAINT check_db_status CHECK (status IN ('initializing', 'running', 'stopped', 'failed'));
ALTER TABLE databases ADD CONSTRAINT check_db_name
  CHECK (char_length(name) BETWEEN 1 AND 255 AND name !~ '[[:cntrl:]]' AND name = btrim(name));
ALTER TABLE databases ADD CONSTRAINT check_db_version CHECK (version IS NULL OR char_length(version) > 0);
ALTER TABLE databases ADD CONSTRAINT check_db_config_object CHECK (jsonb_typeof(config) = 'object');

-- deployments and their logs ------------------------------------------------------------------------------------
ALTER TABLE deployments ADD CONSTRAINT check_deployment_status
  CHECK (status IN ('pending', 'building', 'deploying', 'success', 'failed', 'rolled_back'));
ALTER TABLE deployments ADD CONSTRAINT check_deployment_commit_sha CHECK (commit_sha IS NULL OR commit_sha ~ '^[0-9a-f]{4,40}$');
ALTER TABLE deployments ADD CONSTRAINT check_deployment_metadata_object CHECK (jsonb_typeof(metadata) = 'object');
ALTER TABLE deployment_logs ADD CONSTRAINT check_log_level CHECK (level IN ('debug', 'info', 'warn', 'error'));

-- env_vars ------------------------------------------------------------------------------------------------------
ALTER TABLE env_vars ADD CONSTRAINT check_env_key_format CHECK (key ~ '^[A-Z_][A-Z0-9_]*$');

-- volumes -------------------------------------------------------------------------------------------------------
-- Docker's own rule for volume names, so every stored name is one Docker accepts.
ALTER TABLE volumes ADD CONSTRAINT check_volume_name CHECK (name ~ '^[a-zA-Z0-9][a-zA-Z0-9_.-]+$');
ALTER TABLE volumes ADD CONSTRAINT check_volume_type CHECK (type IN ('docker_volume', 'nfs', 's3'));
ALTER TABLE volumes ADD CONSTRAINT check_size_positive CHECK (size_gb > 0);
ALTER TABLE volumes ADD CONSTRAINT check_mount_path
  CHECK (mount_path ~ '^/[^[:cntrl:]]*$' AND mount_path <> '/' AND mount_path !~ '(^|/)\.\.?(/|$)' AND mount_path !~ '//');
ALTER TABLE volumes ADD CONSTRAINT check_volume_single_owner CHECK (num_nonnulls(application_id, database_id) <= 1);

-- domains -------------------------------------------------------------------------------------------------------
ALTER TABLE domains ADD CONSTRAINT check_domain_format
  CHECK (char_length(domain) <= 253
         AND domain ~ '^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+([a-z]{2,63}|xn--[a-z0-9-]{1,59})$');
ALTER TABLE domains ADD CONSTRAINT check_domain_target_type CHECK (target_type IN ('application', 'database'));

-- Deleting an application or database removes the domains routed to it (the polymorphic target has no real FK).
CREATE FUNCTION delete_domains_of_target() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM domains WHERE target_type = TG_ARGV[0] AND target_id = OLD.id;
  RETURN NULL;
END $$;

CREATE TRIGGER application_domains_cleanup AFTER DELETE ON applications
  FOR EACH ROW EXECUTE FUNCTION delete_domains_of_target('application');
CREATE TRIGGER database_domains_cleanup AFTER DELETE ON databases
  FOR EACH ROW EXECUTE FUNCTION delete_domains_of_target('database');

-- certificates --------------------------------------------------------------------------------------------------
ALTER TABLE certificates ADD CONSTRAINT check_certificate_issuer CHECK (char_length(issuer) > 0);

-- "expires_at must be in future", checked when the value is written. A CHECK calling now() would also be re-checked
-- when a backup is restored, refusing every certificate that expired since; a trigger is not part of that path
-- (pg_dump creates triggers after loading data, and replica-mode restores skip them).
CREATE FUNCTION check_certificate_expiry() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND NEW.expires_at IS NOT DISTINCT FROM OLD.expires_at THEN
    RETURN NEW;
  END IF;
  IF NEW.expires_at <= now() THEN
    RAISE EXCEPTION 'certificate expiry % is not in the future', NEW.expires_at
      USING ERRCODE = 'check_violation', CONSTRAINT = 'check_expiry_future';
  END IF;
  RETURN NEW;
END $$;

CREATE TRIGGER check_expiry_future
  BEFORE INSERT OR UPDATE OF expires_at ON certificates
  FOR EACH ROW EXECUTE FUNCTION check_certificate_expiry();

-- backups -------------------------------------------------------------------------------------------------------
ALTER TABLE backups ADD CONSTRAINT check_backup_type CHECK (type IN ('full', 'incremental', 'snapshot'));
ALTER TABLE backups ADD CONSTRAINT check_backup_status CHECK (status IN ('pending', 'running', 'success', 'failed'));
ALTER TABLE backups ADD CONSTRAINT check_backup_size CHECK (size_bytes IS NULL OR size_bytes >= 0);

-- audit_logs ----------------------------------------------------------------------------------------------------
ALTER TABLE audit_logs ADD CONSTRAINT check_audit_resource_type
  CHECK (resource_type IN ('user', 'team', 'project', 'application', 'database', 'deployment', 'domain'));
ALTER TABLE audit_logs ADD CONSTRAINT check_audit_action CHECK (char_length(action) > 0);
ALTER TABLE audit_logs ADD CONSTRAINT check_audit_details_object CHECK (jsonb_typeof(details) = 'object');

-- updated_at follows every write, also from raw SQL -------------------------------------------------------------
CREATE FUNCTION set_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.updated_at := now();
  RETURN NEW;
END $$;

CREATE TRIGGER users_updated_at BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION set_updated_at();
CREATE TRIGGER projects_updated_at BEFORE UPDATE ON projects FOR EACH ROW EXECUTE FUNCTION set_updated_at();
CREATE TRIGGER applications_updated_at BEFORE UPDATE ON applications FOR EACH ROW EXECUTE FUNCTION set_updated_at();
