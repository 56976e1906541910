"""The supplier storefront: a B2B catalog modelled on Amazon Business, speaking cXML and OCI."""
