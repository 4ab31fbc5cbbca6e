"""Humanitarian access: movements and their approvals, site notifications, corridors and checkpoints,
besieged areas, and observation posts with their daily logs."""
