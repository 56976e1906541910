"""The life of an invoice in the French e-invoicing reform, told by statuses both sites share.

The statuses are the CDAR ``ProcessConditionCode`` values (MDT-105) of the AFNOR XP Z12-012
lifecycle messages, 200 Déposée … 213 Rejetée (their English label here, the official French name in
the French catalog). Four are mandatory (:data:`MANDATORY`); some need a reason code (MDT-113), taken
from the closed list of the FNFE-MPE schematron, rule BR-FR-CDV-CL-09 (:data:`REASONS_BY_STATUS`).

Each site records a status about one of its invoices through one function of its own (the buyer
suite's ``invoicing.lifecycle.emit``, the storefront's ``fulfilment.lifecycle.record``) which moves the
invoice's ``lifecycle_status`` with ``core.status.set_status``, keeps the history, hands the status to
the invoice's channel (a cXML StatusUpdateRequest today) and, once committed, calls
:data:`status_recorded` with a :class:`StatusMessage`: a platform transport (CDAR through an approved
platform) registers there.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from openprocure.core.hooks import Hook


class LifecycleStatus(models.TextChoices):
    """The lifecycle statuses (value: the CDAR code; label: English, French in the catalog)."""

    DEPOSITED = (
        "200",
        pgettext_lazy("invoice lifecycle", "Deposited"),
    )  # Déposée: the issuer's platform took the invoice
    ISSUED = "201", pgettext_lazy("invoice lifecycle", "Issued by the platform")  # Émise
    RECEIVED = "202", pgettext_lazy("invoice lifecycle", "Received by the platform")  # Reçue
    MADE_AVAILABLE = "203", pgettext_lazy("invoice lifecycle", "Made available")  # Mise à disposition
    TAKEN_IN_CHARGE = "204", pgettext_lazy("invoice lifecycle", "Taken in charge")  # Prise en charge
    APPROVED = "205", pgettext_lazy("invoice lifecycle", "Approved")  # Approuvée
    PARTLY_APPROVED = "206", pgettext_lazy("invoice lifecycle", "Partly approved")  # Approuvée partiellement
    DISPUTED = "207", pgettext_lazy("invoice lifecycle", "Disputed")  # En litige
    SUSPENDED = "208", pgettext_lazy("invoice lifecycle", "Suspended")  # Suspendue
    COMPLETED = "209", pgettext_lazy("invoice lifecycle", "Completed")  # Complétée
    REFUSED = (
        "210",
        pgettext_lazy("invoice lifecycle", "Refused"),
    )  # Refusée: the buyer refuses it (commercial)
    PAYMENT_SENT = "211", pgettext_lazy("invoice lifecycle", "Payment sent")  # Paiement transmis
    CASHED = "212", pgettext_lazy("invoice lifecycle", "Cashed")  # Encaissée: the seller received the payment
    REJECTED = (
        "213",
        pgettext_lazy("invoice lifecycle", "Rejected"),
    )  # Rejetée: refused on its format (rules, duplicate)


#: The statuses the tax administration must be told of (XP Z12-014 Annexe B §1).
MANDATORY = frozenset(
    {LifecycleStatus.DEPOSITED, LifecycleStatus.REFUSED, LifecycleStatus.CASHED, LifecycleStatus.REJECTED}
)

#: What each reason code (MDT-113, BR-FR-CDV-CL-09) means, for the statuses the two sites use.
REASON_CODES: dict[str, str | Promise] = {
    "AUTRE": _("Other"),
    "COORD_BANC_ERR": _("Wrong bank details"),
    "TX_TVA_ERR": _("Wrong VAT rate"),
    "MONTANTTOTAL_ERR": _("Wrong total amount"),
    "CALCUL_ERR": _("Calculation error"),
    "NON_CONFORME": _("Not compliant"),
    "DOUBLON": _("Duplicate invoice"),
    "DEST_INC": _("Unknown addressee"),
    "DEST_ERR": _("Wrong addressee"),
    "TRANSAC_INC": _("Unknown transaction"),
    "EMMET_INC": _("Unknown issuer"),
    "CONTRAT_TERM": _("Contract ended"),
    "DOUBLE_FACT": _("Invoiced twice"),
    "CMD_ERR": _("Wrong order reference"),
    "ADR_ERR": _("Wrong address"),
    "SIRET_ERR": _("Wrong SIRET"),
    "CODE_ROUTAGE_ERR": _("Wrong routing code"),
    "REF_CT_ABSENT": _("Contract reference missing"),
    "REF_ERR": _("Wrong reference"),
    "PU_ERR": _("Wrong unit price"),
    "REM_ERR": _("Wrong discount"),
    "QTE_ERR": _("Wrong quantity"),
    "ART_ERR": _("Wrong item"),
    "MODPAI_ERR": _("Wrong payment terms"),
    "QUALITE_ERR": _("Quality not as ordered"),
    "LIVR_INCOMP": _("Delivery incomplete"),
    "JUSTIF_ABS": _("Supporting document missing"),
    "REJ_SEMAN": _("Rejected: semantic error"),
    "REJ_UNI": _("Rejected: not unique"),
    "REJ_COH": _("Rejected: inconsistent data"),
    "REJ_ADR": _("Rejected: addressing error"),
}

#: The reason codes allowed for each status that needs one (BR-FR-CDV-CL-09, non-B2G lists).
REASONS_BY_STATUS: dict[str, tuple[str, ...]] = {
    LifecycleStatus.PARTLY_APPROVED: (
        "AUTRE", "CMD_ERR", "SIRET_ERR", "CODE_ROUTAGE_ERR", "REF_CT_ABSENT", "REF_ERR", "PU_ERR",
        "REM_ERR", "QTE_ERR", "ART_ERR", "MODPAI_ERR", "QUALITE_ERR", "LIVR_INCOMP",
    ),
    LifecycleStatus.DISPUTED: (
        "AUTRE", "COORD_BANC_ERR", "TX_TVA_ERR", "MONTANTTOTAL_ERR", "CALCUL_ERR", "NON_CONFORME",
        "DOUBLON", "DEST_INC", "DEST_ERR", "TRANSAC_INC", "EMMET_INC", "CONTRAT_TERM", "DOUBLE_FACT",
        "CMD_ERR", "ADR_ERR", "SIRET_ERR", "CODE_ROUTAGE_ERR", "REF_CT_ABSENT", "REF_ERR", "PU_ERR",
        "REM_ERR", "QTE_ERR", "ART_ERR", "MODPAI_ERR", "QUALITE_ERR", "LIVR_INCOMP",
    ),
    LifecycleStatus.SUSPENDED: (
        "JUSTIF_ABS", "COORD_BANC_ERR", "CMD_ERR", "SIRET_ERR", "CODE_ROUTAGE_ERR", "REF_CT_ABSENT", "REF_ERR",
    ),
    LifecycleStatus.REFUSED: (
        "TX_TVA_ERR", "MONTANTTOTAL_ERR", "CALCUL_ERR", "NON_CONFORME", "DOUBLON", "DEST_ERR",
        "TRANSAC_INC", "EMMET_INC", "CONTRAT_TERM", "DOUBLE_FACT", "CMD_ERR", "ADR_ERR", "REF_CT_ABSENT",
    ),
    LifecycleStatus.REJECTED: (
        "MONTANTTOTAL_ERR", "CALCUL_ERR", "DOUBLON", "DEST_INC", "ADR_ERR", "REJ_SEMAN", "REJ_UNI",
        "REJ_COH", "REJ_ADR",
    ),
}  # fmt: skip

#: The statuses that need a reason code (BR-FR-CDV-15).
NEEDS_REASON = frozenset(REASONS_BY_STATUS)

#: Where a status may go next. A processing status may be followed by any other (an invoice put on
#: hold is approved later); refused, rejected and cashed end its life; the platform statuses
#: (200–204) only move forward.
_PROCESSING = {
    LifecycleStatus.TAKEN_IN_CHARGE,
    LifecycleStatus.APPROVED,
    LifecycleStatus.PARTLY_APPROVED,
    LifecycleStatus.DISPUTED,
    LifecycleStatus.SUSPENDED,
    LifecycleStatus.COMPLETED,
    LifecycleStatus.REFUSED,
    LifecycleStatus.PAYMENT_SENT,
    LifecycleStatus.CASHED,
}
_EVERY = {str(status) for status in LifecycleStatus}
LIFECYCLE_TRANSITIONS: dict[str, set[str]] = {
    "": _EVERY,
    LifecycleStatus.DEPOSITED: _EVERY - {LifecycleStatus.DEPOSITED},
    LifecycleStatus.ISSUED: _EVERY - {LifecycleStatus.DEPOSITED, LifecycleStatus.ISSUED},
    LifecycleStatus.RECEIVED: _PROCESSING | {LifecycleStatus.MADE_AVAILABLE, LifecycleStatus.REJECTED},
    LifecycleStatus.MADE_AVAILABLE: _PROCESSING | {LifecycleStatus.REJECTED},
    **{str(status): set(_PROCESSING) for status in _PROCESSING},
    LifecycleStatus.REFUSED: set(),
    LifecycleStatus.REJECTED: set(),
    LifecycleStatus.CASHED: set(),
}
# Paid: only cashed may follow (a late dispute is a new invoice or a credit note).
LIFECYCLE_TRANSITIONS[LifecycleStatus.PAYMENT_SENT] = {LifecycleStatus.CASHED}


class LifecycleError(ValueError):
    """A status that cannot be recorded as given (unknown code, missing or unknown reason)."""


def reason_label(code: str) -> str:
    """A reason code in words (the code itself when this version does not know it)."""
    return str(REASON_CODES.get(code, code))


def status_label(code: str) -> str:
    """``"205 Approved"`` (``"205 Approuvée"`` in French); an unknown code as it is."""
    try:
        return f"{code} {LifecycleStatus(code).label}"
    except ValueError:
        return code


def check_reason(status: str, reason_code: str) -> str:
    """The reason code to record with ``status`` (upper case), or a :class:`LifecycleError`: a status of
    :data:`NEEDS_REASON` needs one from its list; another takes none or any known code."""
    if status not in {str(s) for s in LifecycleStatus}:
        raise LifecycleError(f"{status!r} is not a lifecycle status code (200 to 213).")
    code = reason_code.strip().upper()
    allowed = REASONS_BY_STATUS.get(status)
    if allowed is not None:
        if code not in allowed:
            raise LifecycleError(
                f"Status {status} needs a reason code among {', '.join(allowed)} (BR-FR-CDV-CL-09), "
                f"not {code or 'none'!r}."
            )
    elif code and code not in REASON_CODES:
        raise LifecycleError(f"{code!r} is not a reason code of BR-FR-CDV-CL-09.")
    return code


@dataclass(frozen=True)
class StatusMessage:
    """One lifecycle status about one invoice, as a platform transport needs it to build its message
    (a CDAR): who says it (``sender_role`` ``buyer`` or ``seller``), the invoice it is about (number,
    issue date, seller's and buyer's SIREN), the status, its reason code and the person's words."""

    sender_role: str
    invoice_number: str
    issue_date: date
    seller_siren: str
    buyer_siren: str
    status: str
    reason_code: str = ""
    reason: str = ""
    #: which site's invoice: ``buyer`` (``invoicing.Invoice``) or ``supplier`` (``fulfilment.Invoice``)
    site: str = ""
    invoice_pk: int | None = None


#: Called, once the status is committed, with the :class:`StatusMessage` of every status a site
#: records about one of its invoices (emitted by it, or received from its partner when
#: ``received=True``); a platform transport registers its sender here.
status_recorded = Hook()
