"""The mock's own paths: health, agents and the admin API, under a prefix the real API never uses.

The API lives under ``/api/v1``, so nothing of it can ever start with :data:`CONTROL_PREFIX`.
"""

from __future__ import annotations

__all__ = ["ADMIN_PREFIX", "AGENTS_PATH", "CONTROL_PREFIX", "HEALTH_PATH"]

CONTROL_PREFIX = "/__extract_contract__"
"""Paths of the mock itself (health, admin); nothing of the real API starts with it."""
HEALTH_PATH = CONTROL_PREFIX + "/health"
"""``GET`` answers ``{"status":"ok"}`` once the server answers."""
AGENTS_PATH = CONTROL_PREFIX + "/agents"
"""``GET`` answers the agents that have runs (no ``--admin`` needed: it reveals no secret)."""
ADMIN_PREFIX = CONTROL_PREFIX + "/admin"
"""The admin API (``serve --admin``), off unless asked for."""
