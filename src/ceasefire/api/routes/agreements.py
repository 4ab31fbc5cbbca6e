"""Agreements API routes."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/agreements", tags=["agreements"])
