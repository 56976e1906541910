"""Tolerance rules: which applies to an invoice line (the most specific for its supplier and category,
else the ``INVOICING_DEFAULT_TOLERANCE`` tunable), and their changes by an administrator."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import fields
from typing import Any

from openprocure.buyer.invoicing import matching
from openprocure.buyer.invoicing.forms import ToleranceRuleForm
from openprocure.buyer.invoicing.models import ToleranceRule
from openprocure.core.audit import delete_administered, save_administered
from openprocure.core.tunables import tunable


def save_tolerance_rule(*, form: ToleranceRuleForm, actor: Any) -> ToleranceRule:
    """A procurement administrator adds or changes a tolerance rule (recorded with who and what)."""
    rule: ToleranceRule = save_administered(form, actor=actor)
    return rule


def delete_tolerance_rule(*, rule: ToleranceRule, actor: Any) -> None:
    """A procurement administrator removes a tolerance rule (the removal is recorded)."""
    delete_administered(rule, actor=actor)


def _tolerance(rule: ToleranceRule | None) -> matching.Tolerance:
    if rule is None:
        return matching.Tolerance(**tunable("INVOICING_DEFAULT_TOLERANCE"))
    # The rule's fields have the tolerance's names.
    return matching.Tolerance(
        **{field.name: getattr(rule, field.name) for field in fields(matching.Tolerance)}
    )


class Tolerances:
    """Every tolerance rule in memory; ``for_line`` picks the most specific for a supplier and category."""

    def __init__(self, rules: Iterable[ToleranceRule] | None = None) -> None:
        self.rules = list(ToleranceRule.objects.all() if rules is None else rules)
        self._cache: dict[tuple[int | None, str], matching.Tolerance] = {}

    def for_line(self, supplier_id: int, category: str) -> matching.Tolerance:
        key = (supplier_id, category)
        if key not in self._cache:
            self._cache[key] = _tolerance(self._pick(supplier_id, category))
        return self._cache[key]

    def _pick(self, supplier_id: int, category: str) -> ToleranceRule | None:
        def score(rule: ToleranceRule) -> tuple[int, int, int] | None:
            if rule.supplier_id not in (None, supplier_id):
                return None
            if rule.unspsc_prefix and not category.startswith(rule.unspsc_prefix):
                return None
            return (1 if rule.unspsc_prefix else 0, 1 if rule.supplier_id else 0, len(rule.unspsc_prefix))

        scored = [(s, rule) for rule in self.rules if (s := score(rule)) is not None]
        return max(scored, key=lambda pair: pair[0])[1] if scored else None

    def resolver(self, supplier_id: int) -> Any:
        def tolerance_for(line: matching.OrderLine | None) -> matching.Tolerance:
            return self.for_line(supplier_id, line.category if line is not None else "")

        return tolerance_for
