"""The mock's own paths: health and the admin API, under a prefix the real API never uses.

The API lives under ``/api/v1``, so nothing of it can ever start with :data:`CONTROL_PREFIX`.
"""

from __future__ import annotations

__all__ = ["ADMIN_PREFIX", "CONTROL_PREFIX", "HEALTH_PATH"]

CONTROL_PREFIX = "/__extract_contract__"
"""Paths of the mock itself (health, admin); nothing of the real API starts with it."""
HEALTH_PATH = CONTROL_PREFIX + "/health"
"""``GET`` answers ``{"status":"ok"}`` once the server answers."""
ADMIN_PREFIX = CONTROL_PREFIX + "/admin"
"""The admin API (``serve --admin``), off unless asked for."""
