"""Charges of signed sessions, payments received, patients' balances and statements (issue 11)."""
