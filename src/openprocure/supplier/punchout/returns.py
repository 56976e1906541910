"""The cart's return to the buyer's system, by either protocol: the cXML PunchOutOrderMessage form
(built by ``services``) or the OCI form (built by ``oci``)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from openprocure.supplier.punchout import oci, services
from openprocure.supplier.punchout.choices import SessionProtocol
from openprocure.supplier.punchout.models import PunchOutSession
from punchout import cxml
from punchout.cxml.transport import encode_form


def return_cart(
    *, session: PunchOutSession, cancel: bool = False, script_nonce: str = ""
) -> tuple[services.ReturnPost, bytes | None]:
    """Build the cart return (cXML form or OCI form), check the target, close the session.

    Returns the post to make and, for cXML, the PunchOutOrderMessage bytes (for the journal).
    ``script_nonce`` is the page's Content-Security-Policy nonce (OCI builds its whole page).
    """
    if not services.is_usable(session):
        raise ValidationError(_("This PunchOut session has ended. Start again from your procurement system."))
    if not services.is_allowed_return_url(session.integration, session.return_url):
        raise ValidationError(
            _(
                "The return address of this session is no longer allowed for your business; the cart was not sent."
            )
        )
    if session.protocol == SessionProtocol.OCI:
        post = oci.oci_return(session=session, cancel=cancel, script_nonce=script_nonce)
        services.close_session(session=session, cancel=cancel)
        return post, None
    document = services.order_message(session=session, cancel=cancel)
    body = cxml.build(document)
    fields = list(encode_form(body, session.integration.cart_encoding).items())  # type: ignore[arg-type]  # the field holds one of the encodings encode_form names
    services.close_session(session=session, cancel=cancel)
    return services.ReturnPost(action=session.return_url, fields=fields), body
