"""One FilterSet per list of the appraisal: pages, API and the Excel sheets share them. Scoping
stays in the base queryset; a filter's choices are what the requesting user sees."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cadres.filters import WorkUnitTreeFilter, person_search, visible, visible_communities
from supervision.filters import AreaFilter, visible_townships

from .choices import CommendationKind, Grade, PeriodStatus
from .models import Appraisal, Commendation, Period, Quota


class PeriodFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=PeriodStatus.choices)
    q = django_filters.CharFilter(label=_("Name"), field_name="name", lookup_expr="icontains")

    class Meta:
        model = Period
        fields = ["status", "q"]


class AppraisalFilterSet(django_filters.FilterSet):
    """Appraisals of a period by work unit (and the units under it), township, community, final
    grade, and what is still missing; `q` finds a name or pinyin initials."""

    period = django_filters.ModelChoiceFilter(label=_("Appraisal period"), queryset=visible(Period))
    work_unit = WorkUnitTreeFilter(label=_("Work unit"))
    township = AreaFilter(label=_("Township"), queryset=visible_townships, method="filter_township")
    community = django_filters.ModelChoiceFilter(label=_("Community"), queryset=visible_communities)
    final_grade = django_filters.ChoiceFilter(
        label=_("Final grade"),
        choices=[("none", _("Not yet graded")), *Grade.choices],
        method="filter_grade",
    )
    missing = django_filters.ChoiceFilter(
        label=_("Missing input"),
        choices=[
            ("inspection", _("On-site inspection")),
            ("talk", _("Secretary's talk")),
            ("evaluation", _("Members' and residents' evaluation")),
        ],
        method="filter_missing",
    )
    q = django_filters.CharFilter(label=_("Name or pinyin initials"), method="filter_q")

    class Meta:
        model = Appraisal
        fields = ["period", "work_unit", "township", "community", "final_grade", "missing", "q"]

    def filter_township(self, queryset, name, value):
        return queryset.filter(community__path__startswith=value.path)

    def filter_grade(self, queryset, name, value):
        return queryset.filter(final_grade="" if value == "none" else value)

    def filter_missing(self, queryset, name, value):
        condition = {
            "inspection": Q(inspection_score__isnull=True),
            "talk": Q(talk_score__isnull=True),
            "evaluation": Q(satisfied=0, basically_satisfied=0, unsatisfied=0),
        }[value]
        return queryset.filter(condition)

    def filter_q(self, queryset, name, value):
        return queryset.filter(person_search("cadre__", value))


class QuotaFilterSet(django_filters.FilterSet):
    period = django_filters.ModelChoiceFilter(label=_("Appraisal period"), queryset=visible(Period))
    work_unit = WorkUnitTreeFilter(label=_("Work unit"))

    class Meta:
        model = Quota
        fields = ["period", "work_unit"]


class CommendationFilterSet(django_filters.FilterSet):
    period = django_filters.ModelChoiceFilter(label=_("Appraisal period"), queryset=visible(Period))
    work_unit = WorkUnitTreeFilter(label=_("Work unit"), lookup="cadre__work_unit")
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=CommendationKind.choices)
    q = django_filters.CharFilter(label=_("Name or pinyin initials"), method="filter_q")

    class Meta:
        model = Commendation
        fields = ["period", "work_unit", "kind", "q"]

    def filter_q(self, queryset, name, value):
        return queryset.filter(person_search("cadre__", value))
