"""cXML for OpenProcure: typed messages, a lenient parser and a strict builder (cXML 1.2.071).

result = parse(body)            # ParseResult(document=CXML, warnings=[ParseWarning…])
result.document.kind            # "OrderRequest"
data = build(document)          # DTD-valid UTF-8 bytes
"""

from punchout.cxml import common, errors, fulfill, helpers, invoice, order, profile, punchout_msgs
from punchout.cxml.builder import build

# The package exports the public names of each message module (their ``__all__``).
from punchout.cxml.common import *  # noqa: F403
from punchout.cxml.errors import *  # noqa: F403
from punchout.cxml.fulfill import *  # noqa: F403
from punchout.cxml.helpers import *  # noqa: F403
from punchout.cxml.invoice import *  # noqa: F403
from punchout.cxml.order import *  # noqa: F403
from punchout.cxml.parser import parse
from punchout.cxml.profile import *  # noqa: F403
from punchout.cxml.punchout_msgs import *  # noqa: F403
from punchout.money import Money

__all__ = ["Money", "build", "parse"]
__all__ += common.__all__
__all__ += errors.__all__
__all__ += fulfill.__all__
__all__ += helpers.__all__
__all__ += invoice.__all__
__all__ += order.__all__
__all__ += profile.__all__
__all__ += punchout_msgs.__all__
