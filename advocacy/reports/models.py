"""Report rollups arrive with the reports themselves; the overview reads people tables."""
