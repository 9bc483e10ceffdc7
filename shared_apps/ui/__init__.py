"""The UI kit: template tags and small helpers every page of the platform is built from (ADR 0018)."""
