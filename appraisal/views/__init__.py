"""Browser pages of the appraisal, one module per subject."""
