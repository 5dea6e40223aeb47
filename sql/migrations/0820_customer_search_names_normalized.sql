-- 0820_customer_search_names_normalized: /phone/search scores a name's Arabic-normalised form without
-- recomputing it, and looks up normalised forms only where normalising changes the name.
--
-- Most names are unchanged by normalize_arabic (no diacritics, no alef/teh marbuta/alef maqsura variants):
-- for them, and a query that normalising leaves unchanged too, the raw and the normalised word similarity are
-- the same number. The normalised trigram index therefore holds only the names that normalising changes; the
-- others are found (and scored once) through the raw index. The column is stored so neither the index recheck
-- nor the score translates the name again.

ALTER TABLE customer_search_names
    ADD COLUMN normalized text GENERATED ALWAYS AS (normalize_arabic(name)) STORED;

DROP INDEX idx_customer_search_names_normalized_trgm;
CREATE INDEX idx_customer_search_names_normalized_trgm
    ON customer_search_names USING gin (normalized gin_trgm_ops) WHERE normalized <> name;
