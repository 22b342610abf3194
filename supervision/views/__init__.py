"""Browser pages of supervision, one module per subject."""
