"""The JSON API under /api/v1: routers, dependencies, pagination and the one error envelope."""
