-- Domain names are unique on the server (domains_domain_key), but row-level security hides another tenant's domains, so
-- a user adding a name someone else holds would learn it only from the unique violation. This answers that one yes/no
-- question past row-level security, like volume_name_taken (migration 20261203000000), and nothing about who holds
-- the name. The bypass is on for its one query only and restored before it returns (docs/decisions.md D77).
CREATE FUNCTION domain_name_taken(domain_name text) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
  previous text := current_setting('app.rls_bypass', true);
  taken boolean;
BEGIN
  PERFORM set_config('app.rls_bypass', 'on', true);
  SELECT EXISTS (SELECT 1 FROM domains WHERE domain = lower(domain_name)) INTO taken;
  PERFORM set_config('app.rls_bypass', coalesce(previous, ''), true);
  RETURN taken;
END $$;
