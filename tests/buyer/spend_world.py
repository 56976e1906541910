"""A small hand-computed purchasing history for the spend tests, built through the other apps' services.

Figures (EUR; 1 USD = 0.92 EUR), periods in Europe/Paris time:

| doc | requester | entity | supplier | month | lines (amount, UNSPSC, cost center) | PO status |
|-----|-----------|--------|----------|-------|-------------------------------------|-----------|
| R1/PO1 | rita | France | Office Depot (cXML) | 2026-09 | 2×100 44121615 ListPrice 120, CC100/CC200 50/50; 1×50 43211503 CC100 | sent |
| R2/PO2 | sam | GmbH | Lab Supplies | 2026-10 | free text 1×1500 81111500 CC200, approved by Alan | approved |
| R3/PO3 | rita | France | Tiny Tools | 2026-10 | 10×5 44122000 CC100 | approved |
| R4/PO4 | rita | France | Office Depot (cXML) | 2026-11 | 1×300 USD 44121615 ListPrice 320 CC100 | sent |
| R5/PO5 | sam | GmbH | Lab Supplies | 2026-11 | 1×80 44121615 CC200 | cancelled |
| R6 | rita | France | — | 2026-11 | draft, free text "Whiteboard markers" | — |

Need-by dates: PO1 line 1 09-25 and line 2 09-15, PO2 10-20, PO3 10-30, PO4 11-09. Receipts: GR1 (PO1,
in full) 2026-09-20, GR2 (PO4) 2026-11-10 — so only PO1 line 1 arrived in time (1 of 5 lines).
Invoices received: OD-1 (cXML, PO1, 250.00, matches first time) 11-05; LAB-7 (paper, PO2, 1,600.00:
price_over and quantity_over_received) 11-06; TT-9 (UBL, no order: no_order_line, maverick, 30.00) 11-07.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.test import Client
from django.utils import timezone

from openprocure.buyer.approvals import services as approvals
from openprocure.buyer.approvals.models import (
    ApprovalAssignment,
    ApprovalRule,
    ApprovalRuleApprover,
    ApprovalRuleStep,
    ApprovalStep,
)
from openprocure.buyer.organization.models import Address, Company, CostCenter, LegalEntity
from openprocure.buyer.organization.services import set_profile
from openprocure.buyer.purchasing.models import PurchaseOrder
from openprocure.buyer.purchasing.services import cancel_purchase_order
from openprocure.buyer.requisitions.models import Requisition, RequisitionEvent
from openprocure.buyer.requisitions.services import (
    CartLine,
    SplitInput,
    add_free_text_line,
    create_requisition,
    create_requisition_from_cart,
    set_accounting,
    submit_requisition,
)
from openprocure.buyer.spend.services import refresh_monthly_spend
from openprocure.buyer.suppliers.models import PunchOutConnection, Supplier
from openprocure.core.models import User


def at(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime(year, month, day, hour, minute))


@dataclass
class Acme:
    france: LegalEntity
    gmbh: LegalEntity
    cc_ops: CostCenter
    cc_it: CostCenter
    office_depot: Supplier
    lab: Supplier
    tiny: Supplier
    people: dict[str, User]
    requisitions: dict[str, Requisition]
    documents: dict[str, str]

    def po(self, name: str) -> PurchaseOrder:
        return PurchaseOrder.objects.get(requisition=self.requisitions[name])

    def number(self, name: str) -> str:
        if name in self.documents:
            return self.documents[name]
        if name.startswith("PO"):
            return self.po("R" + name[2:]).number
        return self.requisitions[name].number

    def client(self, person: str) -> Client:
        client = Client()
        client.force_login(self.people[person])
        return client


def _user(email: str) -> User:
    person = User(email=email)
    person.set_unusable_password()
    person.save()
    return person


def _cart(requester: User, supplier: Supplier, connection: Any, title: str, *lines: CartLine) -> Requisition:
    return create_requisition_from_cart(
        requester=requester, supplier=supplier, connection=connection, lines=list(lines), title=title
    )


def _line(part: str, quantity: str, price: str, currency: str, unspsc: str, **extrinsics: str) -> CartLine:
    return CartLine(
        supplier_part_id=part,
        quantity=Decimal(quantity),
        unit_price=Decimal(price),
        currency=currency,
        description=f"Item {part}",
        unspsc=unspsc,
        extrinsics=dict(extrinsics),
    )


def _timeline(requisition: Requisition, submitted: datetime, ordered: datetime) -> None:
    """Move a requisition's and its order's timestamps to the given times (created 1 h before submit)."""
    Requisition.objects.filter(pk=requisition.pk).update(
        created_at=submitted - timedelta(hours=1), submitted_at=submitted
    )
    RequisitionEvent.objects.filter(requisition=requisition, to_status="ordered").update(created_at=ordered)
    PurchaseOrder.objects.filter(requisition=requisition).update(created_at=ordered, sent_at=ordered)


def build_acme() -> Acme:
    company = Company.objects.create(name="Acme Industries")
    france = LegalEntity.objects.create(company=company, name="Acme France SAS")
    gmbh = LegalEntity.objects.create(company=company, name="Acme GmbH")
    paris = Address.objects.create(
        company=company, legal_entity=france, kind="ship_to", code="PAR", name="Paris",
        street="1 Rue de la Paix", city="Paris", country="FR", is_default=True,
    )  # fmt: skip
    berlin = Address.objects.create(
        company=company, legal_entity=gmbh, kind="ship_to", code="BER", name="Berlin",
        street="1 Unter den Linden", city="Berlin", country="DE",
    )  # fmt: skip
    Address.objects.create(
        company=company, legal_entity=france, kind="bill_to", code="AP", name="Accounts payable",
        street="2 Quai Branly", city="Paris", country="FR", is_default=True,
    )  # fmt: skip
    people = {name: _user(f"{name}@acme.test") for name in ("rita", "sam", "alan", "ada", "pam", "tess")}
    cc_ops = CostCenter.objects.create(company=company, code="CC100", name="Operations")
    cc_it = CostCenter.objects.create(company=company, code="CC200", name="IT")
    set_profile(
        user=people["rita"], company=company, roles=["requester"],
        default_cost_center=cc_ops, default_ship_to=paris,
    )  # fmt: skip
    set_profile(
        user=people["sam"], company=company, roles=["requester"],
        default_cost_center=cc_it, default_ship_to=berlin,
    )  # fmt: skip
    set_profile(user=people["alan"], company=company, roles=["approver"])
    set_profile(user=people["ada"], company=company, roles=["procurement_admin"])
    set_profile(user=people["pam"], company=company, roles=["ap_clerk"])
    set_profile(user=people["tess"], company=company, roles=["tech_admin"])
    office_depot = Supplier.objects.create(name="Office Depot")
    lab = Supplier.objects.create(name="Lab Supplies")
    tiny = Supplier.objects.create(name="Tiny Tools")
    connection = PunchOutConnection.objects.create(
        supplier=office_depot, name="cXML", protocol="cxml", setup_url="http://127.0.0.1:9/setup/",
        order_url="http://127.0.0.1:9/cxml/", from_identity="ACME", to_identity="OD", sender_identity="ACME",
    )  # fmt: skip
    free_text_rule = ApprovalRule.objects.create(name="Free text", free_text="free_text")
    step = ApprovalRuleStep.objects.create(rule=free_text_rule, order=1, name="Manager approval")
    ApprovalRuleApprover.objects.create(step=step, kind="user", user=people["alan"])

    rita, sam = people["rita"], people["sam"]
    r1 = _cart(
        rita, office_depot, connection, "Chairs and cables",
        _line("CH-1", "2", "100.00", "EUR", "44121615", ListPrice="120.00"),
        _line("CB-2", "1", "50.00", "EUR", "43211503"),
    )  # fmt: skip
    chairs = r1.lines.get(line_number=1)
    set_accounting(
        line=chairs,
        actor=rita,
        splits=[
            SplitInput(cost_center=cc_ops, percentage=Decimal(50)),
            SplitInput(cost_center=cc_it, percentage=Decimal(50)),
        ],
    )
    submit_requisition(r1, rita)

    r2 = create_requisition(requester=sam, title="Calibration")
    add_free_text_line(
        requisition=r2, actor=sam, description="Calibration service for the lab scales",
        quantity=Decimal(1), unit_price=Decimal("1500.00"), supplier=lab, unspsc="81111500",
    )  # fmt: skip
    submit_requisition(r2, sam)
    assignment = ApprovalAssignment.objects.get(step__request__requisition=r2, status="pending")
    approvals.decide(assignment_id=assignment.pk, actor=people["alan"], decision="approve")

    r3 = _cart(rita, tiny, None, "Pens", _line("PEN-10", "10", "5.00", "EUR", "44122000"))
    submit_requisition(r3, rita)
    r4 = _cart(
        rita, office_depot, connection, "US chair",
        _line("CH-US", "1", "300.00", "USD", "44121615", ListPrice="320"),
    )  # fmt: skip
    submit_requisition(r4, rita)
    r5 = _cart(sam, lab, None, "Beakers", _line("BK-1", "1", "80.00", "EUR", "44121615"))
    submit_requisition(r5, sam)
    cancel_purchase_order(po=PurchaseOrder.objects.get(requisition=r5), actor=people["ada"], reason="Dup")
    r6 = create_requisition(requester=rita, title="")
    add_free_text_line(
        requisition=r6, actor=rita, description="Whiteboard markers", quantity=Decimal(3),
        unit_price=Decimal("4.00"),
    )  # fmt: skip

    _timeline(r1, at(2026, 9, 10, 9), at(2026, 9, 10, 10))
    _timeline(r2, at(2026, 10, 1, 9), at(2026, 10, 3, 9))
    _timeline(r3, at(2026, 10, 5, 9), at(2026, 10, 5, 11, 30))
    _timeline(r4, at(2026, 11, 2, 9), at(2026, 11, 2, 13))
    _timeline(r5, at(2026, 11, 3, 9), at(2026, 11, 3, 9, 30))
    Requisition.objects.filter(pk=r6.pk).update(created_at=at(2026, 11, 20, 8))
    ApprovalStep.objects.filter(request__requisition=r2).update(
        activated_at=at(2026, 10, 1, 9), completed_at=at(2026, 10, 3, 8)
    )
    documents = _receipts_and_invoices(people, office_depot, lab, tiny, r1, r2, r3, r4)
    refresh_monthly_spend()
    return Acme(
        france, gmbh, cc_ops, cc_it, office_depot, lab, tiny, people,
        {"R1": r1, "R2": r2, "R3": r3, "R4": r4, "R5": r5, "R6": r6}, documents,
    )  # fmt: skip


def _receipts_and_invoices(people: dict[str, User], office_depot: Supplier, lab: Supplier, tiny: Supplier,
                           *requisitions: Requisition) -> dict[str, str]:  # fmt: skip
    """Need-by dates, goods receipts and invoices (see the module docstring)."""
    from openprocure.buyer.fulfilment.models import GoodsReceipt
    from openprocure.buyer.fulfilment.services import ReceiptLineInput, receive_goods
    from openprocure.buyer.invoicing.einvoice import ParsedInvoice, ParsedLine
    from openprocure.buyer.invoicing.models import Invoice
    from openprocure.buyer.invoicing.services import enter_paper_invoice, receive_invoice
    from openprocure.buyer.purchasing.models import PurchaseOrderLine

    po1, po2, po3, po4 = (PurchaseOrder.objects.get(requisition=r) for r in requisitions)
    chairs, cables = po1.lines.order_by("line_number")
    for line, day in ((chairs, (9, 25)), (cables, (9, 15)), (po2.lines.get(), (10, 20)),
                      (po3.lines.get(), (10, 30)), (po4.lines.get(), (11, 9))):  # fmt: skip
        PurchaseOrderLine.objects.filter(pk=line.pk).update(need_by=datetime(2026, *day).date())
    rita = people["rita"]
    gr1 = receive_goods(
        po=po1,
        actor=rita,
        lines=[ReceiptLineInput(chairs.pk, Decimal(2)), ReceiptLineInput(cables.pk, Decimal(1))],
    )
    gr2 = receive_goods(po=po4, actor=rita, lines=[ReceiptLineInput(po4.lines.get().pk, Decimal(1))])
    GoodsReceipt.objects.filter(pk=gr1.pk).update(received_at=at(2026, 9, 20, 10))
    GoodsReceipt.objects.filter(pk=gr2.pk).update(received_at=at(2026, 11, 10, 10))
    od1 = receive_invoice(
        supplier=office_depot,
        parsed=ParsedInvoice(
            number="OD-1", invoice_date=datetime(2026, 11, 5).date(), currency="EUR", source="cxml",
            lines=[
                ParsedLine(1, Decimal(2), Decimal("100.00"), Decimal("200.00"), order_number=po1.number, order_line_number=1),
                ParsedLine(2, Decimal(1), Decimal("50.00"), Decimal("50.00"), order_number=po1.number, order_line_number=2),
            ],
            subtotal=Decimal("250.00"), total=Decimal("250.00"),
        ),
    )  # fmt: skip
    lab7 = enter_paper_invoice(
        supplier=lab, actor=people["pam"], number="LAB-7", invoice_date=datetime(2026, 11, 6).date(),
        currency="EUR", total=Decimal("1600.00"),
        lines=[{"quantity": Decimal(1), "unit_price": Decimal("1600.00"), "order_number": po2.number,
                "order_line_number": 1, "description": "Calibration, second visit"}],
    )  # fmt: skip
    tt9 = receive_invoice(
        supplier=tiny,
        parsed=ParsedInvoice(
            number="TT-9", invoice_date=datetime(2026, 11, 7).date(), currency="EUR", source="ubl",
            lines=[ParsedLine(1, Decimal(3), Decimal("10.00"), Decimal("30.00"), description="Staples")],
            subtotal=Decimal("30.00"), total=Decimal("30.00"),
        ),
    )  # fmt: skip
    for invoice, day in ((od1, 5), (lab7, 6), (tt9, 7)):
        Invoice.objects.filter(pk=invoice.pk).update(created_at=at(2026, 11, day, 9))
    return {"GR1": gr1.number, "GR2": gr2.number, "INV1": "OD-1", "INV2": "LAB-7", "INV3": "TT-9"}
