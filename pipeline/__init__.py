"""Claim fact-check assistant: the domain pipeline (ingest, claims, retrieval, stance, verdict, runs)."""
