-- Partitioning (spec, "Performance Optimization"): deployment_logs by hash of deployment_id into 4 partitions,
-- audit_logs by month of created_at (UTC months). Monthly partitions are made ahead by
-- ensure_audit_log_partitions(), which the panel calls at start-up and daily; the DEFAULT partition accepts a row
-- of any other date, and is drained into the monthly partition when that month's partition is made.

CREATE TABLE deployment_logs_0 PARTITION OF deployment_logs FOR VALUES WITH (MODULUS 4, REMAINDER 0);
CREATE TABLE deployment_logs_1 PARTITION OF deployment_logs FOR VALUES WITH (MODULUS 4, REMAINDER 1);
CREATE TABLE deployment_logs_2 PARTITION OF deployment_logs FOR VALUES WITH (MODULUS 4, REMAINDER 2);
CREATE TABLE deployment_logs_3 PARTITION OF deployment_logs FOR VALUES WITH (MODULUS 4, REMAINDER 3);

CREATE TABLE audit_logs_default PARTITION OF audit_logs DEFAULT;

-- Creates (if missing) the partitions of the months from `first_month` to `months_ahead` months after it and
-- returns how many it created. Rows already in the DEFAULT partition for such a month move into it.
CREATE FUNCTION ensure_audit_log_partitions(
  months_ahead integer DEFAULT 3,
  first_month date DEFAULT (date_trunc('month', now() AT TIME ZONE 'UTC'))::date
) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  month_start date;
  lower_bound timestamptz;
  upper_bound timestamptz;
  part_name text;
  created integer := 0;
BEGIN
  -- Panels starting together would otherwise race to create the same partition.
  PERFORM pg_advisory_xact_lock(hashtext('ensure_audit_log_partitions'));
  FOR i IN 0..months_ahead LOOP
    month_start := (date_trunc('month', first_month) + make_interval(months => i))::date;
    part_name := format('audit_logs_%s', to_char(month_start, 'YYYY_MM'));
    CONTINUE WHEN to_regclass(format('public.%I', part_name)) IS NOT NULL;
    lower_bound := month_start::timestamp AT TIME ZONE 'UTC';
    upper_bound := (month_start + interval '1 month')::timestamp AT TIME ZONE 'UTC';
    EXECUTE format('CREATE TABLE public.%I (LIKE public.audit_logs INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', part_name);
    EXECUTE format(
      'WITH moved AS (DELETE FROM public.audit_logs_default WHERE created_at >= %L AND created_at < %L RETURNING *)
       INSERT INTO public.%I SELECT * FROM moved', lower_bound, upper_bound, part_name);
    EXECUTE format('ALTER TABLE public.audit_logs ATTACH PARTITION public.%I FOR VALUES FROM (%L) TO (%L)',
                   part_name, lower_bound, upper_bound);
    created := created + 1;
  END LOOP;
  RETURN created;
END $$;

-- The previous month too, so rows written around a month boundary at deploy time have a home.
SELECT ensure_audit_log_partitions(4, (date_trunc('month', now() AT TIME ZONE 'UTC') - interval '1 month')::date);

-- Retention (spec, "Data Retention"). Archived audit partitions and rows move to the audit_archive schema (cold
-- storage an operator can dump and drop); nothing is archived to S3 here, see docs/decisions.md.
CREATE SCHEMA audit_archive;
CREATE TABLE audit_archive.audit_logs_default_rows (LIKE audit_logs INCLUDING DEFAULTS);

CREATE FUNCTION apply_retention(at timestamptz DEFAULT now()) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
  log_cutoff timestamptz := at - interval '30 days';
  deployment_cutoff timestamptz := at - interval '90 days';
  audit_cutoff timestamptz := at - interval '1 year';
  logs_deleted bigint;
  deployments_archived bigint;
  audit_rows_archived bigint;
  partitions_archived integer := 0;
  backups_deleted bigint;
  backup_paths jsonb;
  part record;
BEGIN
  -- Detaching audit partitions must not interleave with creating them.
  PERFORM pg_advisory_xact_lock(hashtext('ensure_audit_log_partitions'));
  -- deployment_logs: 30 days, deleted. Filtering through deployments keeps this on the (deployment_id, …) index.
  DELETE FROM deployment_logs l
   USING deployments d
   WHERE l.deployment_id = d.id AND d.started_at < log_cutoff AND l.created_at < log_cutoff;
  GET DIAGNOSTICS logs_deleted = ROW_COUNT;

  -- deployments: 90 days; the row and its metadata stay, the full log text goes.
  UPDATE deployments
     SET logs = NULL, metadata = metadata || jsonb_build_object('logs_archived_at', at)
   WHERE started_at < deployment_cutoff AND logs IS NOT NULL;
  GET DIAGNOSTICS deployments_archived = ROW_COUNT;

  -- audit_logs: 1 year, then whole monthly partitions move to audit_archive.
  FOR part IN
    SELECT c.relname AS name
      FROM pg_inherits i
      JOIN pg_class c ON c.oid = i.inhrelid
      JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE i.inhparent = 'public.audit_logs'::regclass AND n.nspname = 'public'
       AND c.relname ~ '^audit_logs_[0-9]{4}_[0-9]{2}$'
       AND (to_date(substr(c.relname, 12), 'YYYY_MM') + interval '1 month') <= (audit_cutoff AT TIME ZONE 'UTC')
  LOOP
    EXECUTE format('ALTER TABLE public.audit_logs DETACH PARTITION public.%I', part.name);
    IF to_regclass(format('audit_archive.%I', part.name)) IS NULL THEN
      EXECUTE format('ALTER TABLE public.%I SET SCHEMA audit_archive', part.name);
    ELSE
      -- That month was archived before (its partition was made again later): add to the archived table.
      EXECUTE format('INSERT INTO audit_archive.%I SELECT * FROM public.%I', part.name, part.name);
      EXECUTE format('DROP TABLE public.%I', part.name);
    END IF;
    partitions_archived := partitions_archived + 1;
  END LOOP;
  WITH moved AS (DELETE FROM audit_logs_default WHERE created_at < audit_cutoff RETURNING *)
  INSERT INTO audit_archive.audit_logs_default_rows SELECT * FROM moved;
  GET DIAGNOSTICS audit_rows_archived = ROW_COUNT;

  -- backups: every backup of the last 7 days, then the newest successful one of each ISO week (UTC) up to 4 weeks.
  WITH removed AS (
    DELETE FROM backups b
     WHERE b.created_at < at - interval '7 days'
       AND b.status IN ('success', 'failed')
       AND (b.created_at < at - interval '28 days'
            OR b.id IS DISTINCT FROM (
                 SELECT w.id FROM backups w
                  WHERE w.database_id = b.database_id AND w.status = 'success'
                    AND date_trunc('week', w.created_at AT TIME ZONE 'UTC') = date_trunc('week', b.created_at AT TIME ZONE 'UTC')
                  ORDER BY w.created_at DESC, w.id DESC LIMIT 1))
    RETURNING b.storage_path)
  SELECT count(*), coalesce(jsonb_agg(storage_path) FILTER (WHERE storage_path IS NOT NULL), '[]'::jsonb)
    INTO backups_deleted, backup_paths FROM removed;

  RETURN jsonb_build_object(
    'deployment_logs_deleted', logs_deleted,
    'deployments_logs_archived', deployments_archived,
    'audit_partitions_archived', partitions_archived,
    'audit_default_rows_archived', audit_rows_archived,
    'backups_deleted', backups_deleted,
    'backup_files_to_remove', backup_paths);
END $$;
