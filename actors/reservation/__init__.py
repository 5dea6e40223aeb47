"""Reservations: the per-day actor, its pure rules and the operations everyone calls (see operations.py)."""
