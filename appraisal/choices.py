from django.db import models
from django.utils.translation import gettext_lazy as _


class PeriodStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class Grade(models.TextChoices):
    """The four grades, best first."""

    EXCELLENT = "excellent", _("Excellent")
    COMPETENT = "competent", _("Competent")
    BASIC = "basic", _("Basically competent")
    INCOMPETENT = "incompetent", _("Incompetent")


class CommendationKind(models.TextChoices):
    CITATION = "citation", _("Citation (嘉奖)")
    MERIT = "merit", _("Merit (记功)")


class Input(models.TextChoices):
    """The inputs of an appraisal, each entered by its own people."""

    INSPECTION = "inspection", _("On-site inspection")
    TALK = "talk", _("Secretary's talk")
    EVALUATION = "evaluation", _("Members' and residents' evaluation")
    GRADE = "grade", _("Final grade and opinion")
