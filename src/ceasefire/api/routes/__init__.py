"""API routers, one module per domain; `ceasefire.app` mounts them under /api/v1."""
