// The choice both "end everything" forms of the profile offer (D62): unticked, the account's API tokens are revoked
// with its sessions, because a person acting after a leak expects every credential gone.
export function KeepApiTokensField() {
  return (
    <label className="flex items-center gap-2 text-sm">
      <input type="checkbox" name="keepApiTokens" className="accent-accent" />
      Keep my API tokens working
    </label>
  );
}
