"""The audit trail: every write (django-auditlog's log entries) and every login and export."""
