-- Soft delete (spec, "Soft Delete Pattern"). deleted_at is in the init migration; the spec's status 'archived'
-- is accepted by check_app_status.
CREATE INDEX idx_applications_active ON applications (id) WHERE deleted_at IS NULL;

CREATE FUNCTION soft_delete_application(app_id uuid) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  UPDATE applications
     SET deleted_at = NOW(), status = 'archived'
   WHERE id = app_id AND deleted_at IS NULL;
END;
$$;

CREATE FUNCTION restore_application(app_id uuid) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  UPDATE applications
     SET deleted_at = NULL, status = 'stopped'
   WHERE id = app_id AND deleted_at IS NOT NULL;
END;
$$;

-- Application status summary (spec, "Materialized Views"), plus the other live statuses for the dashboard.
CREATE MATERIALIZED VIEW application_stats AS
SELECT
  project_id,
  COUNT(*) AS total_applications,
  COUNT(*) FILTER (WHERE status = 'running') AS running,
  COUNT(*) FILTER (WHERE status = 'stopped') AS stopped,
  COUNT(*) FILTER (WHERE status = 'failed') AS failed,
  COUNT(*) FILTER (WHERE status = 'deploying') AS deploying,
  COUNT(*) FILTER (WHERE status = 'scaling') AS scaling
FROM applications
WHERE deleted_at IS NULL
GROUP BY project_id;

-- The unique index is what allows REFRESH MATERIALIZED VIEW CONCURRENTLY.
CREATE UNIQUE INDEX application_stats_project_id_idx ON application_stats (project_id);
