-- 0257_customer_search_names: /phone/search scores each distinct name once, not each customer.
--
-- A name's word similarity to the query depends on the name alone, and names repeat: a common name is
-- carried by thousands of customers. The search matches the query against customer_search_names (one row
-- per distinct customer_name: small trigram indexes, one score per name), then reads each matching name's
-- newest customers from idx_customers_name_recent (an index-only scan in the search's tie order).
--
-- The table only grows: it holds every name any customer has had (a superset of the current names, so no
-- match is missed; a name nobody carries any more joins to no customer). Deleting names would race with a
-- concurrent insert of a customer of the same name.

CREATE TABLE customer_search_names (
    name text PRIMARY KEY
);

INSERT INTO customer_search_names (name)
SELECT DISTINCT customer_name FROM customers WHERE customer_name IS NOT NULL;

CREATE INDEX idx_customer_search_names_trgm
    ON customer_search_names USING gin (name gin_trgm_ops);
CREATE INDEX idx_customer_search_names_normalized_trgm
    ON customer_search_names USING gin (normalize_arabic(name) gin_trgm_ops);

CREATE INDEX idx_customers_name_recent
    ON customers (customer_name, last_user_message_at DESC NULLS LAST, wa_id) INCLUDE (is_favorite, is_blocked);

-- Statement-level on insert (one INSERT … SELECT per COPY batch, in name order so that two loaders never
-- wait on each other crosswise); row-level on update, and only when a name actually changes.
CREATE FUNCTION customer_search_names_after_insert() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    INSERT INTO customer_search_names (name)
    SELECT DISTINCT customer_name FROM new_customers WHERE customer_name IS NOT NULL ORDER BY 1
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;

CREATE FUNCTION customer_search_names_after_rename() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    INSERT INTO customer_search_names (name) VALUES (NEW.customer_name) ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;

CREATE TRIGGER trg_customers_search_names_insert
    AFTER INSERT ON customers REFERENCING NEW TABLE AS new_customers
    FOR EACH STATEMENT EXECUTE FUNCTION customer_search_names_after_insert();

CREATE TRIGGER trg_customers_search_names_rename
    AFTER UPDATE OF customer_name ON customers
    FOR EACH ROW WHEN (NEW.customer_name IS NOT NULL AND NEW.customer_name IS DISTINCT FROM OLD.customer_name)
    EXECUTE FUNCTION customer_search_names_after_rename();
