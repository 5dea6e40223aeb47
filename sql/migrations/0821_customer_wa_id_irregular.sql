-- 0821_customer_wa_id_irregular: the few numbers /phone/search cannot reach through pairs of digit patterns.
--
-- A number query on a large directory finds the wa_ids scoring at least a threshold by trigram similarity from
-- pairs of LIKE patterns (actors/customers/search.py pair_patterns): for a wa_id made of digits only, holding a
-- trigram of the query is exactly matching its pattern, and a wa_id with more than 8 distinct trigrams needs
-- enough shared ones that two of the query's rarer trigrams are among them. The rest (anything but digits, or
-- at most 8 distinct trigrams: short or repetitive numbers) is listed by this index and scored one by one.
-- Keep the predicate identical to phone_search's (the planner matches it literally).
CREATE INDEX idx_customers_wa_id_irregular ON customers (wa_id)
    WHERE wa_id !~ '^[0-9]+$' OR cardinality(show_trgm(wa_id)) <= 8;
