"""Wagtail lives in every tenant schema (ADR 0005). Page types for notices and policies arrive with the portal."""
