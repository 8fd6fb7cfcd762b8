"""Not in Django admin: the audit trail names clients and what was done to their records,
so it is read in the app (``/audit/``, ``/api/v1/audit-events/``), by admins and auditors
only, never through the admin (tests/test_admin_registry.py)."""
