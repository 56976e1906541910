"""The buyer suite: a company's procurement system (PunchOut, requisitions, approvals, purchase orders)."""
