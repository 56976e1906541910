"""factory_boy factories for the storefront's businesses, their people and staff."""

from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from openprocure.supplier.business.choices import StaffRole, VerificationStatus
from openprocure.supplier.business.models import Business, Membership, StaffProfile
from tests.factories import UserFactory


class BusinessFactory(DjangoModelFactory):
    """A verified French business."""

    class Meta:
        model = Business

    name = "Acme Industries"
    street = "1 rue de la Paix"
    postal_code = "75002"
    city = "Paris"
    country = "FR"
    tax_number = "732829320"
    email = "admin@acme.test"
    status = VerificationStatus.VERIFIED


class MembershipFactory(DjangoModelFactory):
    """A person's place in a business: a PunchOut user unless told otherwise."""

    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    business = factory.SubFactory(BusinessFactory)
    is_punchout_user = True


class StaffProfileFactory(DjangoModelFactory):
    """One of our staff: an operator unless told otherwise."""

    class Meta:
        model = StaffProfile

    user = factory.SubFactory(UserFactory, is_staff=True)
    role = StaffRole.OPERATOR
