"""Replay data packages: data/<year>/ holds registry documents and a manifest (data, not code).

They are loaded by `ceasefire.interchange.replay` through the same importer as `ceasefire import`.
"""
