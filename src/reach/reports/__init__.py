"""Turning results into tables, text and files."""
