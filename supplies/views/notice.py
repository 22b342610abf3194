"""The public notice (公示) of a community, a township or a county: what was received from whom
and where it went. It is posted publicly, so it needs no login; anonymous donors stay unnamed."""

from decimal import Decimal

from django.contrib.auth.decorators import login_not_required
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views.generic import TemplateView

from communities.models import Area
from supplies.forms import PeriodForm
from supplies.selectors import notice

from .base import NOTICE_LEVELS


def value_total(rows) -> Decimal:
    return sum((row.value or Decimal(0) for row in rows if not row.item.is_money), Decimal(0))


def money_total(rows) -> Decimal:
    return sum((row.quantity for row in rows if row.item.is_money), Decimal(0))


@method_decorator(login_not_required, name="dispatch")
class NoticeView(TemplateView):
    template_name = "supplies/notice.html"

    def get(self, request, *args, **kwargs):
        area = get_object_or_404(Area, pk=kwargs["area_pk"], level__in=NOTICE_LEVELS)
        period = PeriodForm(request.GET or None)
        valid = period.is_valid() if period.is_bound else True
        dates = period.cleaned_data if period.is_bound and valid else {}
        result = notice(area, since=dates.get("since"), until=dates.get("until"))
        context = self.get_context_data(
            area=area,
            period=period,
            notice=result,
            received_value=value_total(result.received),
            received_money=money_total(result.received),
            given_value=value_total(result.given),
            given_money=money_total(result.given),
            today=timezone.localdate(),
        )
        return self.render_to_response(context, status=200 if valid else 400)
