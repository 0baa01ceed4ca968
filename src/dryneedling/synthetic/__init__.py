"""Deterministic synthetic data: pure generators (no Django) plus a bulk loader.

Stages grow with the product: patients and episodes now; findings, sessions, side effects and
check-ins are later stages that read what earlier stages wrote.
"""
