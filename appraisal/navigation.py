"""The appraisal app's entries in the navigation bar, registered from `AppraisalConfig.ready()`."""


def register_navigation() -> None:
    """(In progress: the pages register their entries here.)"""
