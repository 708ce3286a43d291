"""Report filters arrive with the reports themselves (issue 6); the overview has none."""
