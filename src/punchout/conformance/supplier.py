"""Checks of a supplier's PunchOut endpoints, played as a buyer's procurement system would.

:func:`run_supplier_checks` runs every check in order and returns the :class:`Report`. Each check is
a method of :class:`SupplierChecks` named after its code.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from punchout.conformance.expect import cxml_answer
from punchout.conformance.identity import Party
from punchout.conformance.report import Report
from punchout.conformance.runner import CheckFailed, Progress, Runner
from punchout.cxml.builder import build
from punchout.cxml.common import CXML, Credential, DeploymentMode
from punchout.cxml.helpers import make_header, new_payload_id
from punchout.cxml.profile import ProfileRequest, ProfileResponse

__all__ = ["USER_AGENT", "SupplierChecks", "SupplierTarget", "run_supplier_checks"]

USER_AGENT = "OpenProcure conformance"
#: Seconds a procurement system waits for a setup answer (Coupa allows 60).
SETUP_SECONDS = 60.0


@dataclass(frozen=True, slots=True)
class SupplierTarget:
    """The supplier to check: its cXML endpoint, the identities and secret it expects, its OCI call-up."""

    url: str
    from_party: Party
    to_party: Party
    secret: str
    sender: Party | None = None
    oci_url: str = ""
    oci_user: str = ""
    oci_password: str = ""
    send_orders: bool = False
    payload_domain: str = "conformance.openprocure.local"


class SupplierChecks(Runner):
    role = "supplier"

    def __init__(
        self, target: SupplierTarget, *, progress: Progress | None = None, deadline: float = SETUP_SECONDS
    ):
        super().__init__(target.url, progress=progress, deadline=deadline)
        self.target = target
        self.profile: ProfileResponse | None = None

    # -- documents ----------------------------------------------------------------------------------
    def envelope(self, message: object, *, secret: str | None = None, sender: Party | None = None) -> bytes:
        """A request with the target's From/To/Sender and secret (or the ones given, to test refusals)."""
        target = self.target
        sender = sender or target.sender or target.from_party
        header = make_header(
            from_=[Credential(target.from_party.domain, target.from_party.identity)],
            to=[Credential(target.to_party.domain, target.to_party.identity)],
            sender=[Credential(sender.domain, sender.identity, target.secret if secret is None else secret)],
            user_agent=USER_AGENT,
        )
        document = CXML(
            message=message,  # type: ignore[arg-type]  # each request kind is a valid cXML message; the union is wider than the field's type
            payload_id=new_payload_id(target.payload_domain),
            timestamp=datetime.now(UTC).replace(microsecond=0),
            header=header,
            deployment_mode=DeploymentMode.TEST,
            lang="en-US",
        )
        return build(document)

    # -- checks -------------------------------------------------------------------------------------
    def run(self) -> Report:
        self.check_profile()
        return self.finish()

    def check_profile(self) -> None:
        with self.check("profile", "ProfileRequest is answered with the transactions supported"):
            answer = self.send(
                self.target.url,
                self.envelope(ProfileRequest()),
                headers={"Content-Type": "text/xml; charset=utf-8"},
            )
            document = cxml_answer(self, answer, what="The answer to ProfileRequest")
            if not isinstance(document.message, ProfileResponse):
                raise CheckFailed(
                    f"The answer to ProfileRequest is a {document.kind}, not a ProfileResponse.",
                    "Answer ProfileRequest with a ProfileResponse listing each Transaction and its URL.",
                )
            self.profile = document.message
            names = sorted({t.request_name for t in document.message.transactions})
            self.note(f"Transactions: {', '.join(names) if names else 'none listed'}.")
            self.report.checks[-1].params["transactions"] = names


def run_supplier_checks(
    target: SupplierTarget, *, progress: Progress | None = None, deadline: float = SETUP_SECONDS
) -> Report:
    """Every supplier check against ``target``, in order; the report says what passed and what to change."""
    return SupplierChecks(target, progress=progress, deadline=deadline).run()
