"""Forms of support: what the PO lookup is asked."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class LookupForm(forms.Form):
    """A buyer's PO number, our order number, a payloadID or an e-mail, as typed (the lookup strips it)."""

    q = forms.CharField(label=_("PO number, order number, payloadID or e-mail"), required=False, strip=False)

    def query(self) -> str:
        """What to look up; "" (nothing) for a text with a null character, which no key holds."""
        return str(self.cleaned_data.get("q", "")) if self.is_valid() else ""
