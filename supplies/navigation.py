"""The supplies app's entries in the navigation bar, registered from `SuppliesConfig.ready()`."""


def register_navigation() -> None:
    """(In progress: the pages register their entries here.)"""
