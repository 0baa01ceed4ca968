"""The de-identified research export (issue 12): ``export_research`` writes it; ``dictionary`` describes it."""
