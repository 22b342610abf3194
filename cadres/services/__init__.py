"""Writes of the cadres app: registrations, posts, branches, work units and cadres.

Views, serializers, the admin and commands call these; each takes the acting user, checks what
that user may change, validates with `full_clean()` and runs in one transaction. The database
holds the same rules (constraints, composite keys, triggers) as the last line of defence.
"""

from .branches import (
    branch_add_members,
    branch_dissolve,
    branch_establish,
    branch_remove_member,
    branch_save,
    building_group_save,
)
from .people import cadre_save, work_unit_save
from .posts import post_assign, post_end
from .registrations import (
    CadreDetails,
    registration_confirm,
    registration_return,
    registration_save,
    registration_submit,
    registration_transfer,
)

__all__ = [
    "CadreDetails",
    "branch_add_members",
    "branch_dissolve",
    "branch_establish",
    "branch_remove_member",
    "branch_save",
    "building_group_save",
    "cadre_save",
    "post_assign",
    "post_end",
    "registration_confirm",
    "registration_return",
    "registration_save",
    "registration_submit",
    "registration_transfer",
    "work_unit_save",
]
