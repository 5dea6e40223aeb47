"""Customers, conversations, the phone directory and the analytics dashboard (spec 30)."""
from __future__ import annotations

from aiohttp import web

from handlers.customers import conversations, dashboard, phone, profile

ROUTES = [*conversations.ROUTES, *profile.ROUTES, *phone.ROUTES, *dashboard.ROUTES]


def setup(app: web.Application) -> None:
    phone.setup(app)
