"""Demo business accounts (used only by the storefront's ``seed_demo``, in demo mode)."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone

from openprocure.core.demo import demo_user, follow_demo_peer, require_demo_mode
from openprocure.core.models import User
from openprocure.supplier.business.choices import (
    IntegrationStatus,
    InvoiceDelivery,
    InvoiceFormat,
    PaymentKind,
    StaffRole,
    VerificationStatus,
)
from openprocure.supplier.business.credentials import hash_secret
from openprocure.supplier.business.models import (
    Business,
    Integration,
    Membership,
    PaymentMethod,
    ShippingAddress,
    StaffProfile,
)

DEMO_BUSINESSES = [
    # name, administrator, cXML identity, shared secret, OCI password, status
    (
        "Acme Industries",
        "admin@acme.test",
        "ACME",
        "acme-demo-secret",
        "acme-oci-demo",
        IntegrationStatus.ACTIVE,
    ),
    (
        "Globex",
        "admin@globex.test",
        "GLOBEX",
        "globex-demo-secret",
        "globex-oci-demo",
        IntegrationStatus.TEST,
    ),
]


def _business(name: str, admin: User, identity: str, secret: str, oci_password: str, status: str) -> Business:
    business, _ = Business.objects.update_or_create(
        name=name,
        defaults={
            "street": "1 avenue de l'Europe",
            "postal_code": "69001",
            "city": "Lyon",
            "country": "FR",
            "tax_number": "732829320",
            "email": admin.email,
            "status": VerificationStatus.VERIFIED,
            "reviewed_at": timezone.now(),
        },
    )
    Membership.objects.update_or_create(
        user=admin, defaults={"business": business, "is_administrator": True, "is_punchout_user": True}
    )
    Integration.objects.update_or_create(
        business=business,
        defaults={
            "status": status,
            "buyer_identity": identity,
            "buyer_domain": "NetworkId",
            "buyer_domain_key": "networkid",
            "supplier_identity": settings.CXML_IDENTITY,
            "shared_secret_hash": hash_secret(secret),
            "oci_username": identity.lower(),
            "oci_password_hash": hash_secret(oci_password),
            "allowed_return_urls": [settings.DEMO_PEER_URL + "/"],
            "activated_at": timezone.now() if status == IntegrationStatus.ACTIVE else None,
        },
    )
    return business


def seed_businesses() -> None:
    """Acme Industries (Active) and Globex (Test) with their administrators (idempotent)."""
    require_demo_mode()
    support = User.objects.get(email="support@marketplace.test")
    StaffProfile.objects.get_or_create(user=support, defaults={"role": StaffRole.SUPPORT})
    operator = User.objects.get(email="operator@marketplace.test")
    StaffProfile.objects.get_or_create(user=operator, defaults={"role": StaffRole.OPERATOR})
    for name, email, identity, secret, oci_password, status in DEMO_BUSINESSES:
        first = email.split("@")[1].split(".")[0].capitalize()
        admin = demo_user(email, first_name=first, last_name="Administrator")
        seeded = Membership.objects.filter(user=admin).select_related("business").first()
        if seeded is not None:
            # Seeded before: what administrators changed since (secrets, payment methods,
            # addresses, status) stays; only the demo's loopback return address follows this run.
            _follow_demo_peer(seeded.business)
            continue
        business = _business(name, admin, identity, secret, oci_password, status)
        if name == "Acme Industries":
            PaymentMethod.objects.create(
                business=business,
                kind=PaymentKind.INVOICE,
                invoice_terms="30 days end of month",
                is_default=True,
            )
            ShippingAddress.objects.get_or_create(
                business=business,
                name="Acme Industries — Receiving dock",
                defaults={
                    "street": "12 rue des Entrepôts",
                    "postal_code": "69007",
                    "city": "Lyon",
                    "country": "FR",
                    "preferred_delivery_day": 1,
                },
            )


def _follow_demo_peer(business: Business) -> None:
    """Move the business's loopback demo return addresses to this run's buyer suite."""
    for integration in Integration.objects.filter(business=business):
        urls = [follow_demo_peer(url, settings.DEMO_PEER_URL) for url in integration.allowed_return_urls]
        if urls != integration.allowed_return_urls:
            Integration.objects.filter(pk=integration.pk).update(allowed_return_urls=urls)


def send_invoices_through_platform(name: str) -> None:
    """The French flow of the demo: the business's invoices are issued as Factur-X and go through the
    e-invoicing platform both demo sites share (``openprocure demo --einvoicing-platform``)."""
    require_demo_mode()
    Integration.objects.filter(business__name=name).update(
        e_invoicing=True, invoice_format=InvoiceFormat.FACTURX, invoice_delivery=InvoiceDelivery.PLATFORM
    )
