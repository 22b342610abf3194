"""Browser pages of the cadres app, one module per subject."""
