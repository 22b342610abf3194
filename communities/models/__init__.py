from .accounts import User
from .areas import Area
from .base import ScopedQuerySet, TimeStampedModel
from .places import Building, Estate, Grid, GridBuilding, Unit

__all__ = [
    "Area",
    "Building",
    "Estate",
    "Grid",
    "GridBuilding",
    "ScopedQuerySet",
    "TimeStampedModel",
    "Unit",
    "User",
]
