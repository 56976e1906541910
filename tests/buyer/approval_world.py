"""Shared set-up for the approval and purchasing tests: the Acme organisation, a supplier with a cXML
connection, policy rules, and requisitions built the way a PunchOut cart creates them."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.messages import get_messages
from django.test import Client

from openprocure.buyer.approvals.models import ApprovalRule, ApprovalRuleApprover, ApprovalRuleStep
from openprocure.buyer.organization.models import Address, Company, CostCenter, Department, GLAccount
from openprocure.buyer.organization.services import set_profile
from openprocure.buyer.purchasing.models import PurchaseOrder
from openprocure.buyer.requisitions.models import Requisition
from openprocure.buyer.requisitions.services import CartLine, create_requisition_from_cart
from openprocure.buyer.suppliers.crypto import encrypt_secret
from openprocure.buyer.suppliers.models import PunchOutConnection, Supplier
from openprocure.core.models import User

PASSWORD = "correct horse battery"
AUX_ID = "  cart=7f3a;line=1\n\tsession=<é&ü>  "


@dataclass
class World:
    company: Company
    ship_to: Address
    bill_to: Address
    ops: Department
    finance: Department
    cc_ops: CostCenter
    cc_it: CostCenter
    gl: GLAccount
    supplier: Supplier
    other_supplier: Supplier
    connection: PunchOutConnection
    people: dict[str, User]

    def __getattr__(self, name: str) -> User:
        try:
            return self.__dict__["people"][name]
        except KeyError:
            raise AttributeError(name) from None


def user(email: str, first: str, last: str, **extra: Any) -> User:
    # No password: tests sign in with force_login, and hashing nine passwords per test is slow.
    person = User(email=email, first_name=first, last_name=last, **extra)
    person.set_unusable_password()
    person.save()
    return person


def build_world(order_url: str = "http://127.0.0.1:9/cxml/") -> World:
    company = Company.objects.create(name="Acme Industries")
    ship_to = Address.objects.create(
        company=company,
        kind="ship_to",
        code="HQ",
        name="Acme HQ",
        deliver_to="Goods-in",
        street="1 Rue de la Paix",
        city="Paris",
        postal_code="75002",
        country="FR",
        is_default=True,
    )
    bill_to = Address.objects.create(
        company=company,
        kind="bill_to",
        code="AP",
        name="Acme Accounts Payable",
        street="2 Quai Branly",
        city="Paris",
        postal_code="75007",
        country="FR",
        is_default=True,
    )
    ops = Department.objects.create(company=company, code="OPS", name="Operations")
    finance = Department.objects.create(company=company, code="FIN", name="Finance")
    people = {
        "ceo": user("ceo@acme.test", "Cora", "Chief"),
        "dirk": user("dirk@acme.test", "Dirk", "Director"),
        "mona": user("mona@acme.test", "Mona", "Manager"),
        "rita": user("rita@acme.test", "Rita", "Requester"),
        "olga": user("olga@acme.test", "Olga", "Owner"),
        "alan": user("alan@acme.test", "Alan", "Approver"),
        "bob": user("bob@acme.test", "Bob", "Buyer"),
        "carl": user("carl@acme.test", "Carl", "Controller"),
        "ada": user("ada@acme.test", "Ada", "Admin"),
    }
    cc_ops = CostCenter.objects.create(
        company=company, code="CC100", name="Operations", owner=people["olga"], department=ops
    )
    cc_it = CostCenter.objects.create(company=company, code="CC200", name="IT", owner=people["carl"])
    gl = GLAccount.objects.create(company=company, code="6100", name="Office supplies")
    set_profile(user=people["ceo"], company=company, roles=["approver"])
    set_profile(user=people["dirk"], company=company, roles=["approver"], manager=people["ceo"])
    set_profile(user=people["mona"], company=company, roles=["approver"], manager=people["dirk"])
    set_profile(
        user=people["rita"],
        company=company,
        roles=["requester"],
        manager=people["mona"],
        department=ops,
        default_cost_center=cc_ops,
        default_ship_to=ship_to,
    )
    for name in ("olga", "alan", "bob", "carl"):
        set_profile(user=people[name], company=company, roles=["approver"], department=finance)
    set_profile(user=people["ada"], company=company, roles=["procurement_admin"])
    supplier = Supplier.objects.create(name="Office Depot")
    other = Supplier.objects.create(name="Lab Supplies Inc")
    connection = PunchOutConnection.objects.create(
        supplier=supplier,
        name="cXML",
        protocol="cxml",
        setup_url="http://127.0.0.1:9/setup/",
        order_url=order_url,
        from_domain="NetworkId",
        from_identity="ACME-BUYER",
        to_domain="DUNS",
        to_identity="123456789",
        sender_domain="NetworkId",
        sender_identity="ACME-BUYER",
        accepts_order_updates=True,
        accepts_cancellations=True,
        deployment_mode="production",
    )
    connection.shared_secret_encrypted = encrypt_secret("s3cret-Abc!")
    connection.save()
    return World(
        company, ship_to, bill_to, ops, finance, cc_ops, cc_it, gl, supplier, other, connection, people
    )


def rule(name: str, *steps: dict[str, Any], **conditions: Any) -> ApprovalRule:
    """A rule with steps; each step: {"users": [...]} or {"kind": ..., "levels"/"role"}, mode, quorum, count."""
    m2m = {
        key: conditions.pop(key) for key in ("cost_centers", "departments", "suppliers") if key in conditions
    }
    row = ApprovalRule.objects.create(name=name, **conditions)
    for key, values in m2m.items():
        getattr(row, key).set(values)
    for order, spec in enumerate(steps, start=1):
        step = ApprovalRuleStep.objects.create(
            rule=row,
            order=order,
            name=spec.get("name", f"{name} {order}"),
            mode=spec.get("mode", "parallel"),
            quorum=spec.get("quorum", "any"),
            quorum_count=spec.get("count", 1),
        )
        for person in spec.get("users", []):
            ApprovalRuleApprover.objects.create(step=step, kind="user", user=person)
        if "kind" in spec:
            ApprovalRuleApprover.objects.create(
                step=step, kind=spec["kind"], levels=spec.get("levels", 1), role=spec.get("role", "")
            )
    return row


def requisition(
    world: World,
    *,
    price: str = "600.00",
    quantity: str = "1",
    unspsc: str = "44121615",
    supplier: Supplier | None = None,
    aux: str = AUX_ID,
    requester: User | None = None,
) -> Requisition:
    """A draft requisition from a PunchOut cart of one line, charged to the requester's cost center."""
    supplier = supplier or world.supplier
    return create_requisition_from_cart(
        requester=requester or world.rita,
        supplier=supplier,
        connection=world.connection if supplier == world.supplier else None,
        lines=[
            CartLine(
                supplier_part_id=" SKU-1001 ",
                supplier_part_auxiliary_id=aux,
                quantity=Decimal(quantity),
                unit_price=Decimal(price),
                currency="EUR",
                description="Ergonomic chair",
                unit_of_measure="EA",
                unspsc=unspsc,
            )
        ],
        title="Chairs",
    )


def signed_in(person: User) -> Client:
    client = Client()
    client.force_login(person)
    return client


def submit(world: World, req: Requisition, person: User | None = None) -> tuple[Any, list[str]]:
    """Submit through the requisition page as the requester would; returns the answer and the messages."""
    answer = signed_in(person or world.rita).post(f"/requisitions/{req.pk}/submit/")
    return answer, [str(m) for m in get_messages(answer.wsgi_request)]


def approver_emails(req: Requisition) -> list[list[tuple[str, str]]]:
    """The current round's chain: per step, (approver e-mail, assignment status)."""
    current = req.approval_requests.order_by("-round").first()
    return [
        [(a.approver.email, a.status) for a in step.assignments.order_by("position", "id")]
        for step in current.steps.order_by("position")
    ]


def two_line_order(world: World) -> PurchaseOrder:
    """Approved at submit (no rule): 3 chairs at 600 and 2 desks at 300, to Office Depot."""
    lines = [
        CartLine(
            supplier_part_id=part,
            supplier_part_auxiliary_id=aux,
            quantity=Decimal(quantity),
            unit_price=Decimal(price),
            currency="EUR",
            description=description,
            unit_of_measure="EA",
            unspsc="44121615",
        )
        for part, aux, quantity, price, description in [
            ("SKU-1001", "cart-1/1", "3", "600.00", "Ergonomic chair"),
            ("SKU-2002", "cart-1/2", "2", "300.00", "Standing desk"),
        ]
    ]
    req = create_requisition_from_cart(
        requester=world.rita,
        supplier=world.supplier,
        connection=world.connection,
        lines=lines,
        title="Office",
    )
    submit(world, req)
    return PurchaseOrder.objects.get(requisition=req)
