"""The approval resolution engine: which steps, and who approves each, for one requisition.

Pure Python on plain facts — no database, no Django — so the chain can be previewed while
drafting, frozen at submit, and benchmarked against thousands of rules. The services module turns
rows into :class:`Rule` and :class:`Directory` values and rows back out of :class:`ResolvedStep`.

How the rules combine (this is where the rules are):
- a rule matches when *every* condition it sets holds (an unset condition matches everything);
- every matching rule adds its steps; rules are taken by ``priority`` then ``id``, steps by ``order``;
- a step that resolves to exactly the same approvers, mode and quorum as an earlier step is dropped
  (two rules asking the same person for the same thing would otherwise ask twice);
- the requester is never an approver of their own request: they are removed from every step;
- a step left with nobody to ask is kept with ``unresolved=True`` so people see why, and a
  requisition with an unresolved step cannot be submitted.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

__all__ = [
    "ApproverKind",
    "ApproverSpec",
    "Directory",
    "Facts",
    "Mode",
    "Quorum",
    "ResolvedApprover",
    "ResolvedStep",
    "Rule",
    "StepSpec",
    "matching_rules",
    "required_approvals",
    "resolve",
]


class Mode(StrEnum):
    """How the approvers of one step are asked."""

    SERIAL = "serial"  # one after another, in order; each must approve
    PARALLEL = "parallel"  # all at once; the step completes when its quorum is reached


class Quorum(StrEnum):
    """How many approvals a parallel step needs."""

    ANY = "any"  # any one approver
    ALL = "all"  # every approver
    COUNT = "count"  # N of the M approvers


class ApproverKind(StrEnum):
    """Where an approver comes from."""

    MANAGER = "manager"  # the requester's manager, up to ``levels`` levels up
    COST_CENTER_OWNER = "cost_center_owner"  # the owner of each cost center charged
    ROLE = "role"  # everyone holding ``role``
    USER = "user"  # one named person


@dataclass(frozen=True, slots=True)
class ApproverSpec:
    """One source of approvers in a step."""

    kind: ApproverKind
    levels: int = 1
    role: str = ""
    user_id: int | None = None


@dataclass(frozen=True, slots=True)
class StepSpec:
    """One step a rule adds: who approves, and how they are asked."""

    name: str
    approvers: tuple[ApproverSpec, ...]
    mode: Mode = Mode.PARALLEL
    quorum: Quorum = Quorum.ANY
    quorum_count: int = 1
    order: int = 0


@dataclass(frozen=True, slots=True)
class Rule:
    """An approval rule: conditions (all optional) and the steps it adds when they all hold.

    Amounts are compared in the rule's ``currency``; the requisition's amount is converted with
    the rates given to :func:`resolve`. When no rate is known the amount condition counts as met:
    asking one approver too many is safer than letting spend through unapproved.
    """

    id: int
    steps: tuple[StepSpec, ...]
    name: str = ""
    priority: int = 100
    min_amount: Decimal | None = None  # the total must be strictly above this
    max_amount: Decimal | None = None  # and at most this
    currency: str = ""
    category_prefixes: frozenset[str] = frozenset()  # UNSPSC prefixes; any line matching is enough
    cost_center_ids: frozenset[int] = frozenset()
    department_ids: frozenset[int] = frozenset()
    supplier_ids: frozenset[int] = frozenset()
    free_text: bool | None = None  # True: only with a free-text line; False: only all-catalog


@dataclass(frozen=True, slots=True)
class Facts:
    """What the engine knows about a requisition."""

    amount: Decimal
    currency: str
    requester_id: int
    categories: frozenset[str] = frozenset()  # UNSPSC codes of the lines
    cost_center_ids: frozenset[int] = frozenset()
    department_id: int | None = None
    supplier_ids: frozenset[int] = frozenset()
    has_free_text: bool = False


@dataclass(slots=True)
class Directory:
    """The organisation, as plain maps: managers, cost-center owners and role holders."""

    managers: Mapping[int, int | None] = field(default_factory=dict)  # user -> manager
    cost_center_owners: Mapping[int, int | None] = field(default_factory=dict)  # cost center -> owner
    role_members: Mapping[str, Sequence[int]] = field(default_factory=dict)  # role -> users
    inactive: frozenset[int] = frozenset()  # people named in rules who may no longer sign in

    def manager_chain(self, user_id: int, levels: int) -> list[int]:
        """The user's manager, their manager… up to ``levels`` people (stops at a loop or the top)."""
        chain: list[int] = []
        seen = {user_id}
        current: int | None = user_id
        while len(chain) < levels:
            current = self.managers.get(current) if current is not None else None
            if current is None or current in seen:
                break
            chain.append(current)
            seen.add(current)
        return chain


@dataclass(frozen=True, slots=True)
class ResolvedApprover:
    """A person asked to approve, and why (``source``: kind plus detail, e.g. ``manager:2``)."""

    user_id: int
    source: str


@dataclass(slots=True)
class ResolvedStep:
    """A step of the frozen chain: ordered, with its approvers resolved to people."""

    position: int
    name: str
    mode: Mode
    quorum: Quorum
    quorum_count: int
    approvers: list[ResolvedApprover]
    rule_id: int
    unresolved: bool = False

    @property
    def approver_ids(self) -> list[int]:
        return [a.user_id for a in self.approvers]


def _convert(facts: Facts, currency: str, rates: Mapping[tuple[str, str], Decimal] | None) -> Decimal | None:
    if not currency or currency == facts.currency:
        return facts.amount
    if rates and (facts.currency, currency) in rates:
        return facts.amount * rates[(facts.currency, currency)]
    return None


def _matches(rule: Rule, facts: Facts, rates: Mapping[tuple[str, str], Decimal] | None) -> bool:
    if rule.min_amount is not None or rule.max_amount is not None:
        amount = _convert(facts, rule.currency, rates)
        if amount is not None:
            if rule.min_amount is not None and not amount > rule.min_amount:
                return False
            if rule.max_amount is not None and not amount <= rule.max_amount:
                return False
    if rule.category_prefixes and not any(
        code.startswith(prefix) for code in facts.categories for prefix in rule.category_prefixes
    ):
        return False
    if rule.cost_center_ids and not (rule.cost_center_ids & facts.cost_center_ids):
        return False
    if rule.department_ids and facts.department_id not in rule.department_ids:
        return False
    if rule.supplier_ids and not (rule.supplier_ids & facts.supplier_ids):
        return False
    return rule.free_text is None or rule.free_text == facts.has_free_text


def matching_rules(
    rules: Iterable[Rule], facts: Facts, *, rates: Mapping[tuple[str, str], Decimal] | None = None
) -> list[Rule]:
    """The rules whose conditions all hold, in the order their steps are taken."""
    return sorted((r for r in rules if _matches(r, facts, rates)), key=lambda r: (r.priority, r.id))


def _people(spec: ApproverSpec, facts: Facts, directory: Directory) -> list[ResolvedApprover]:
    if spec.kind == ApproverKind.MANAGER:
        chain = directory.manager_chain(facts.requester_id, max(1, spec.levels))
        return [ResolvedApprover(uid, f"manager:{level}") for level, uid in enumerate(chain, start=1)]
    if spec.kind == ApproverKind.COST_CENTER_OWNER:
        found = []
        for cc in sorted(facts.cost_center_ids):
            owner = directory.cost_center_owners.get(cc)
            if owner is not None:
                found.append(ResolvedApprover(owner, f"cost_center_owner:{cc}"))
        return found
    if spec.kind == ApproverKind.ROLE:
        return [
            ResolvedApprover(uid, f"role:{spec.role}") for uid in directory.role_members.get(spec.role, ())
        ]
    if spec.user_id is not None:
        return [] if spec.user_id in directory.inactive else [ResolvedApprover(spec.user_id, "user")]
    return []


def required_approvals(step: ResolvedStep) -> int:
    """How many approvals complete the step (serial steps need everyone, in order)."""
    size = len(step.approvers)
    if step.mode == Mode.SERIAL or step.quorum == Quorum.ALL:
        return size
    if step.quorum == Quorum.COUNT:
        return max(1, min(step.quorum_count, size))
    return min(1, size)


def resolve(
    rules: Iterable[Rule],
    facts: Facts,
    directory: Directory,
    *,
    rates: Mapping[tuple[str, str], Decimal] | None = None,
) -> list[ResolvedStep]:
    """The ordered steps, with resolved approvers, that a requisition with ``facts`` must pass."""
    steps: list[ResolvedStep] = []
    seen: set[tuple[object, ...]] = set()
    # The same source (a role, a manager level, a person) recurs across rules: resolve it once.
    people: dict[ApproverSpec, list[ResolvedApprover]] = {}
    requester = facts.requester_id
    for rule in matching_rules(rules, facts, rates=rates):
        for spec in rule.steps if len(rule.steps) == 1 else sorted(rule.steps, key=lambda s: s.order):
            approvers: list[ResolvedApprover] = []
            ids: set[int] = set()
            for source in spec.approvers:
                found = people.get(source)
                if found is None:
                    found = people[source] = [
                        p for p in _people(source, facts, directory) if p.user_id != requester
                    ]
                for person in found:
                    if person.user_id not in ids:
                        ids.add(person.user_id)
                        approvers.append(person)
            key = (tuple(a.user_id for a in approvers), spec.mode, spec.quorum, spec.quorum_count)
            if approvers and key in seen:
                continue
            seen.add(key)
            steps.append(
                ResolvedStep(
                    position=len(steps) + 1,
                    name=spec.name or rule.name,
                    mode=spec.mode,
                    quorum=spec.quorum,
                    quorum_count=spec.quorum_count,
                    approvers=approvers,
                    rule_id=rule.id,
                    unresolved=not approvers,
                )
            )
    return steps
