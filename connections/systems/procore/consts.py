"""Procore constants from its public documentation."""

# environment -> (API host, login host); a connection's settings may override both.
HOSTS = {
    "production": ("https://api.procore.com", "https://login.procore.com"),
    "sandbox": ("https://sandbox.procore.com", "https://login-sandbox.procore.com"),
    "simulator": ("http://127.0.0.1:8100/procore", "http://127.0.0.1:8100/procore-login"),
}
PER_PAGE = 100

#: Requisition (subcontractor invoice) statuses that mean "approved for payment".
APPROVED_REQUISITION = frozenset({"approved", "approved_as_noted"})
#: Direct costs become AP bills only when they are approved invoices (not expenses or payroll).
BILLABLE_DIRECT_COST_TYPE = "invoice"
APPROVED_DIRECT_COST = "approved"
