"""Names of UNSPSC segments and families, shown for category codes on the spend dashboards.

Reference data, not tunables: the UNSPSC code set's own names (in the reader's language).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

#: Names of the common UNSPSC segments (first two digits of the code).
UNSPSC_SEGMENTS: dict[str, Any] = {
    "10": _("Live plant and animal material"),
    "11": _("Mineral, textile and inedible plant and animal materials"),
    "12": _("Chemicals"),
    "14": _("Paper materials and products"),
    "15": _("Fuels and lubricants"),
    "20": _("Mining and well drilling machinery"),
    "23": _("Industrial manufacturing machinery"),
    "24": _("Material handling and storage"),
    "25": _("Vehicles and their accessories"),
    "26": _("Power generation and distribution"),
    "27": _("Tools and general machinery"),
    "30": _("Structures and building components"),
    "31": _("Manufacturing components and supplies"),
    "32": _("Electronic components and supplies"),
    "39": _("Electrical systems and lighting"),
    "40": _("Distribution and conditioning systems"),
    "41": _("Laboratory and measuring equipment"),
    "42": _("Medical equipment and supplies"),
    "43": _("IT and telecommunications"),
    "44": _("Office equipment and supplies"),
    "45": _("Printing, photographic and audio-visual equipment"),
    "46": _("Defense, security and safety equipment"),
    "47": _("Cleaning equipment and supplies"),
    "48": _("Service industry machinery"),
    "49": _("Sports and recreational equipment"),
    "50": _("Food, beverage and tobacco"),
    "51": _("Drugs and pharmaceuticals"),
    "52": _("Domestic appliances and supplies"),
    "53": _("Apparel, luggage and personal care"),
    "55": _("Published products"),
    "56": _("Furniture and furnishings"),
    "60": _("Educational and craft supplies"),
    "72": _("Building and facility construction and maintenance services"),
    "76": _("Industrial cleaning services"),
    "78": _("Transportation, storage and mail services"),
    "80": _("Management and business professionals services"),
    "81": _("Engineering and research services"),
    "82": _("Editorial, design and graphic services"),
    "83": _("Public utilities"),
    "84": _("Financial and insurance services"),
    "85": _("Healthcare services"),
    "86": _("Education and training services"),
    "90": _("Travel, food and lodging services"),
    "92": _("National defense and security services"),
    "93": _("Politics and civic affairs services"),
    "94": _("Organizations and clubs"),
}

#: Names of a few common UNSPSC families (first four digits).
UNSPSC_FAMILIES: dict[str, Any] = {
    "4310": _("Information technology components"),
    "4320": _("Computer equipment components"),
    "4321": _("Computer equipment and accessories"),
    "4322": _("Data voice or multimedia network equipment"),
    "4323": _("Software"),
    "4410": _("Office machines and their supplies"),
    "4411": _("Office and desk accessories"),
    "4412": _("Office supplies"),
    "4713": _("Cleaning and janitorial supplies"),
    "5010": _("Nuts and seeds"),
    "5020": _("Beverages"),
    "5610": _("Accommodation furniture"),
    "8011": _("Human resources services"),
    "8111": _("Computer services"),
    "9011": _("Hotels and lodging"),
}
