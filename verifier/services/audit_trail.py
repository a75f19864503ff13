"""What the audit trail tells staff about a verification: who asked for it."""

from __future__ import annotations

from verifier.ports import AuditLog, AuditQuery, KeyStore


def who_verified(audit: AuditLog, keys: KeyStore, verification_id: str) -> str | None:
    """Who asked for the verification, as its VOB names them: the email of a person signed in
    as themselves, or the name of the key that asked; None when no entry that created it names
    a person or a key."""
    rows, _ = audit.find(AuditQuery(resource_id=verification_id, action="create"))
    creators = [row for row in rows if row.get("key_id") or row.get("email")]
    if not creators:
        return None
    first = creators[-1]  # newest first: the last is the one that created it
    if first.get("email"):
        return str(first["email"])
    names = {key.id: key.name for key in keys.all()}
    return names.get(first["key_id"])
