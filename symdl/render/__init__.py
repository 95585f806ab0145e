"""Views: pure functions from derived objects to text (Unicode, LaTeX, JSON-ready data)."""
