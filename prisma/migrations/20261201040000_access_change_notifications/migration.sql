-- Every process caches the rows each call reads first (memberships, hosts) and
-- drops an entry when its row changes: these triggers announce every change,
-- whoever makes it, on the channel `wharf_access` as "<table>:<key>" (the key
-- column is the trigger's first argument, and a second one names the table to
-- announce instead, for a table whose rows belong to another's entries), or
-- "<table>:*" after a TRUNCATE.
-- The body spells each semicolon as \073: the migration runner splits the
-- script at every semicolon, even inside a quoted body.
CREATE FUNCTION "wharf_access_changed"() RETURNS trigger LANGUAGE plpgsql AS E'
DECLARE
  old_key text\073
  new_key text\073
  announced text := coalesce(TG_ARGV[1], TG_TABLE_NAME)\073
BEGIN
  IF TG_LEVEL = ''STATEMENT'' THEN
    PERFORM pg_notify(''wharf_access'', announced || '':*'')\073
    RETURN NULL\073
  END IF\073
  IF TG_OP <> ''INSERT'' THEN
    old_key := to_jsonb(OLD) ->> TG_ARGV[0]\073
    PERFORM pg_notify(''wharf_access'', announced || '':'' || old_key)\073
  END IF\073
  IF TG_OP <> ''DELETE'' THEN
    new_key := to_jsonb(NEW) ->> TG_ARGV[0]\073
    IF new_key IS DISTINCT FROM old_key THEN
      PERFORM pg_notify(''wharf_access'', announced || '':'' || new_key)\073
    END IF\073
  END IF\073
  RETURN NULL\073
END
';

CREATE TRIGGER "Membership_access_changed" AFTER INSERT OR UPDATE OR DELETE ON "Membership"
  FOR EACH ROW EXECUTE FUNCTION "wharf_access_changed"('userId');
CREATE TRIGGER "Membership_access_truncated" AFTER TRUNCATE ON "Membership"
  FOR EACH STATEMENT EXECUTE FUNCTION "wharf_access_changed"('userId');
CREATE TRIGGER "Host_access_changed" AFTER INSERT OR UPDATE OR DELETE ON "Host"
  FOR EACH ROW EXECUTE FUNCTION "wharf_access_changed"('id');
CREATE TRIGGER "Host_access_truncated" AFTER TRUNCATE ON "Host"
  FOR EACH STATEMENT EXECUTE FUNCTION "wharf_access_changed"('id');
-- An environment-scoped grant is part of the membership it limits.
CREATE TRIGGER "MembershipEnvironment_access_changed" AFTER INSERT OR UPDATE OR DELETE ON "MembershipEnvironment"
  FOR EACH ROW EXECUTE FUNCTION "wharf_access_changed"('userId', 'Membership');
CREATE TRIGGER "MembershipEnvironment_access_truncated" AFTER TRUNCATE ON "MembershipEnvironment"
  FOR EACH STATEMENT EXECUTE FUNCTION "wharf_access_changed"('userId', 'Membership');
