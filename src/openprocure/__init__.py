"""OpenProcure: a procure-to-pay platform centred on PunchOut (buyer suite and supplier storefront)."""

__version__ = "0.1.0"
