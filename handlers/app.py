"""`create_app(config)`: the core app plus every feature module of this package.

A feature module exposes `ROUTES` (a list of `runtime.routes.Route`) and may
expose `setup(app)` to add its own cleanup contexts (workers, hubs, clients).
Modules are found by name, so adding a feature never edits a central list.
"""
from __future__ import annotations

import importlib
import pkgutil

from aiohttp import web

import handlers
from runtime.app import base_app
from runtime.config import Config
from runtime.routes import register
from runtime.tracing import configure_tracing

_NOT_FEATURES = {"app"}


def feature_modules() -> list:
    names = sorted(m.name for m in pkgutil.iter_modules(handlers.__path__) if m.name not in _NOT_FEATURES)
    return [importlib.import_module(f"handlers.{name}") for name in names]


def create_app(config: Config) -> web.Application:
    # Before the Application exists: the aiohttp server instrumentation wraps the class.
    configure_tracing(config.otel_endpoint, config.otel_service_name)
    app = base_app(config)
    for module in feature_modules():
        register(app, list(getattr(module, "ROUTES", ())))
        setup = getattr(module, "setup", None)
        if setup is not None:
            setup(app)
    return app
