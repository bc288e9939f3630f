"""The forms of evaluation; each only reads its fields, the services decide (and refuse in Chinese)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from duban.core.choices import UnitCategory
from duban.core.models import Unit
from duban.scoring.choices import ListBasis, ListColour, Outcome


class _Styled(forms.Form):
    """Bootstrap's classes on every widget (selects and inputs, small)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field.widget, forms.RadioSelect):
                continue
            css = "form-select form-select-sm" if isinstance(field.widget, forms.Select) else "form-control form-control-sm"
            field.widget.attrs["class"] = css


class RuleSetForm(_Styled):
    valid_from = forms.DateField(label=_("起用日期"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("说明"), max_length=300, required=False)


class RuleForm(_Styled):
    # The closed list: any other code (an activity such as logins) is refused here, in the service and in the database.
    outcome = forms.ChoiceField(label=_("考核结果"), choices=Outcome.choices)
    points = forms.DecimalField(label=_("分值"), max_digits=6, decimal_places=2, help_text=_("扣分填负数，加分填正数"))
    cap = forms.DecimalField(label=_("每期上限"), max_digits=7, decimal_places=2, required=False, help_text=_("该项每期最多扣或加的分数，留空不设上限"))


class ListRuleForm(_Styled):
    colour = forms.ChoiceField(label=_("榜单"), choices=ListColour.choices)
    basis = forms.ChoiceField(label=_("依据"), choices=ListBasis.choices)
    count = forms.IntegerField(label=_("名次数"), min_value=1, max_value=50, initial=3, required=False)
    outcome = forms.ChoiceField(label=_("考核结果"), choices=[("", "—"), *Outcome.choices], required=False)


class PraiseForm(_Styled):
    unit = forms.ModelChoiceField(label=_("单位"), queryset=Unit.objects.filter(
        is_active=True, category__in=(UnitCategory.DEPARTMENT, UnitCategory.TOWNSHIP)))
    text = forms.CharField(label=_("表扬事由"), max_length=300)
    given_on = forms.DateField(label=_("表扬日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


class ContestForm(_Styled):
    reason = forms.CharField(label=_("申诉理由"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class RulingForm(_Styled):
    decision = forms.ChoiceField(label=_("裁定"), choices=[("upheld", _("维持")), ("removed", _("撤销该分"))], widget=forms.RadioSelect)
    note = forms.CharField(label=_("裁定意见"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
