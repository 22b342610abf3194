from django.db import models
from django.utils.translation import gettext_lazy as _


class FocusArea(models.TextChoices):
    """The five focus areas every daily report speaks to."""

    RESPONSIBILITY = "responsibility", _("Fulfilment of primary responsibility")
    PUBLICITY = "publicity", _("Publicity of epidemic policy")
    MOBILISATION = "mobilisation", _("Organising and mobilising the public")
    SCREENING = "screening", _("Screening and monitoring people")
    SUPPLIES = "supplies", _("Epidemic supplies")


class MeasureStatus(models.TextChoices):
    IN_PLACE = "in_place", _("In place")
    PARTLY = "partly", _("Partly in place")
    NOT_IN_PLACE = "not_in_place", _("Not in place")


class ProblemStatus(models.TextChoices):
    """found → rectifying → resolved → verified; a failed check sends resolved back to
    rectifying."""

    FOUND = "found", _("Found")
    RECTIFYING = "rectifying", _("Being rectified")
    RESOLVED = "resolved", _("Resolved")
    VERIFIED = "verified", _("Verified")


# The steps a problem may take: (from, to). Anything else skips or reverses a step.
PROBLEM_TRANSITIONS = {
    (ProblemStatus.FOUND, ProblemStatus.RECTIFYING),
    (ProblemStatus.RECTIFYING, ProblemStatus.RESOLVED),
    (ProblemStatus.RESOLVED, ProblemStatus.VERIFIED),
    (ProblemStatus.RESOLVED, ProblemStatus.RECTIFYING),
}
OPEN_PROBLEM_STATUSES = (ProblemStatus.FOUND, ProblemStatus.RECTIFYING, ProblemStatus.RESOLVED)

# A team's "5": this many standing members.
STANDING_MEMBERS = 5
