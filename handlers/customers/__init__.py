"""Customers, conversations, the phone directory and the analytics dashboard (spec 30)."""
from __future__ import annotations

from handlers.customers import conversations, dashboard, phone, profile

ROUTES = [*conversations.ROUTES, *profile.ROUTES, *phone.ROUTES, *dashboard.ROUTES]
