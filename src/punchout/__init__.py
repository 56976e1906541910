"""OpenProcure protocol core: cXML and SAP OCI in plain Python (no Django)."""
