-- Live deployment logs (lib/deploy/log-stream.ts): viewers LISTEN instead of polling, so a build running in another
-- process reaches them. Log batches announce themselves from the writer (lib/deploy/log-sink.ts, pg_notify in the
-- same transaction); status changes and deletions announce themselves here, whoever makes them.

-- Payload '<deployment id>:<new status>' (or ':deleted'): small, and never anything a viewer could not read anyway.
CREATE FUNCTION deployment_status_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    PERFORM pg_notify('slipway_deployment_status', OLD.id::text || ':deleted');
  ELSE
    PERFORM pg_notify('slipway_deployment_status', NEW.id::text || ':' || NEW.status);
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER deployments_status_notify AFTER UPDATE OF status ON deployments
  FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION deployment_status_notify();

-- A viewer whose deployment is deleted (its application was) stops instead of waiting forever.
CREATE TRIGGER deployments_deleted_notify AFTER DELETE ON deployments
  FOR EACH ROW EXECUTE FUNCTION deployment_status_notify();

-- Replay and follow read one deployment's lines in id order from a given id (keyset). The primary key leads with
-- id (scanning every deployment's lines in the partition) and the created_at index needs a sort; this one walks
-- exactly the rows wanted. Named as Prisma names @@index([deploymentId, id]).
CREATE INDEX "deployment_logs_deployment_id_id_idx" ON "deployment_logs" ("deployment_id", "id");
