"""The conversation actor: one per customer wa_id, owner of every write about that customer."""
