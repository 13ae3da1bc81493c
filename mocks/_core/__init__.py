"""The core of the mock: its rules, framework-free (no httpx, respx or uvicorn here)."""
