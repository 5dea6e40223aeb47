-- 0831_customer_wa_id_length: whether any wa_id is long enough for a long number query to find it.
--
-- A wa_id of L characters has at most L + 1 trigrams, and scoring t by similarity against a query of m trigrams
-- takes at least t x m of them; holding the query's digits as a substring takes at least as many characters.
-- /phone/search asks this index (one probe) before scanning for a query of tens of digits: without it, 200
-- pasted digits made the trigram index read 190 posting lists for nothing (470 ms at 1M customers).
CREATE INDEX idx_customers_wa_id_length ON customers (length(wa_id));
