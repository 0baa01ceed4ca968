"""Clinic safety records: clinician credentials, needle-stick and sharps incidents, safety settings."""
