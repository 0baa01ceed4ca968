"""Writes of the clinician's record. Each write is audited in its own transaction."""
