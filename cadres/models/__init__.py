from .branches import Branch, BranchMember, BuildingGroup
from .people import Cadre, WorkUnit
from .registrations import Post, Registration

__all__ = [
    "Branch",
    "BranchMember",
    "BuildingGroup",
    "Cadre",
    "Post",
    "Registration",
    "WorkUnit",
]
