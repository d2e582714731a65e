-- Panel-wide settings an administrator changes in the panel (issue 13, docs/decisions.md D66): one row. First the
-- trusted proxies whose X-Forwarded-For is believed (SLIPWAY_TRUSTED_PROXIES, when set, overrides it).
CREATE TABLE "panel_settings" (
    "id" BOOLEAN NOT NULL DEFAULT true,
    -- Comma-separated IPs and CIDR ranges, as lib/http/client-ip-core.mjs parseTrustedProxies() reads them.
    "trusted_proxies" TEXT NOT NULL DEFAULT '',
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT now(),
    "updated_by" UUID,
    CONSTRAINT "panel_settings_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "panel_settings_updated_by_fkey" FOREIGN KEY ("updated_by") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT check_panel_settings_one_row CHECK (id),
    CONSTRAINT check_panel_settings_trusted_proxies_length CHECK (length(trusted_proxies) <= 2000)
);

INSERT INTO "panel_settings" ("id") VALUES (true);
