"""What each holder has of each item now, with its Excel export."""

from django_filters.views import FilterView

from cadres.views.base import ExportMixin, FilteredListMixin
from supplies import exports
from supplies.filters import BalanceFilterSet
from supplies.models import Balance
from supplies.selectors import balances_for_list

from .base import SuppliesPageMixin


class BalanceListView(SuppliesPageMixin, ExportMixin, FilteredListMixin, FilterView):
    template_name = "supplies/balance_list.html"
    filterset_class = BalanceFilterSet
    context_object_name = "balances"
    paginate_by = 100
    export = staticmethod(exports.balances_xlsx)

    def get_queryset(self):
        return balances_for_list(Balance.objects.visible_to(self.request.user))
