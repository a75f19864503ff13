"""Access control: API keys with scopes, the audit trail, idempotency."""
