"""SAP OCI (Open Catalog Interface) 4.0 and 5.0: call-up, ``NEW_ITEM-*`` fields, cart return form.

OCI is a browser protocol with no handshake and no status: the procurement system opens the
catalog with URL/form parameters (the call-up, :mod:`punchout.oci.callup`) and the catalog sends
the cart back by making the user's browser post a form of ``NEW_ITEM-<FIELD>[n]`` fields to the
call-up's ``HOOK_URL`` (:mod:`punchout.oci.cart`, :mod:`punchout.oci.form`). The field set and
lengths are in :mod:`punchout.oci.fields`. ISO-8859-1 is the default charset.
"""

from punchout.oci.callup import (
    DEFAULT_LOGIN_FIELDS,
    CallUp,
    OCIFunction,
    build_callup_url,
    check_hook_url,
    parse_callup,
)
from punchout.oci.cart import CartResult, ReturnFields, build_return_fields, parse_cart
from punchout.oci.errors import OCIError, OCIIssue
from punchout.oci.fields import NEW_ITEM_FIELDS, FieldSpec, Kind
from punchout.oci.form import ReturnForm, build_return_form, return_form_html
from punchout.oci.item import OCIItem

__all__ = [
    "DEFAULT_LOGIN_FIELDS",
    "NEW_ITEM_FIELDS",
    "CallUp",
    "CartResult",
    "FieldSpec",
    "Kind",
    "OCIError",
    "OCIFunction",
    "OCIIssue",
    "OCIItem",
    "ReturnFields",
    "ReturnForm",
    "build_callup_url",
    "build_return_fields",
    "build_return_form",
    "check_hook_url",
    "parse_callup",
    "parse_cart",
    "return_form_html",
]
