"""Re-encrypt stored PHI under the newest data key (after adding one to VERIFIER_DATA_KEYS)."""

from __future__ import annotations

from sqlalchemy import Engine, text

from verifier.store.tables import EncryptedJSON, EncryptedText, metadata, protector_of


def encrypted_columns() -> dict[str, tuple[str, ...]]:
    """Every encrypted column by table, found from the schema, so a table added later with PHI
    in it is rotated too (phone facts once were not, and became unreadable with the old key
    gone). The statements below read the stored ciphertext as is, past the type decorators."""
    found: dict[str, tuple[str, ...]] = {}
    for table in metadata.sorted_tables:
        names = tuple(c.name for c in table.c if isinstance(c.type, EncryptedText | EncryptedJSON))
        if names:
            found[table.name] = names
    return found


def rotate_data(engine: Engine, batch: int = 500) -> int:
    """Rotate every encrypted value to the first key; returns how many rows were rewritten.

    Raises UnreadableCiphertext if a value is encrypted under a key no longer configured.
    """
    keys = protector_of(engine.dialect)
    rewritten = 0
    for table, columns in encrypted_columns().items():
        last = ""
        while True:
            with engine.begin() as connection:
                rows = (
                    connection.execute(
                        text(
                            f"SELECT id, {', '.join(columns)} FROM {table} "
                            "WHERE id > :last ORDER BY id LIMIT :batch"
                        ),
                        {"last": last, "batch": batch},
                    )
                    .mappings()
                    .all()
                )
                for row in rows:
                    values = {c: keys.rotate(row[c]) for c in columns if row[c] is not None}
                    if values:
                        assignments = ", ".join(f"{c} = :{c}" for c in values)
                        connection.execute(
                            text(f"UPDATE {table} SET {assignments} WHERE id = :id"),
                            {**values, "id": row["id"]},
                        )
                        rewritten += 1
            if len(rows) < batch:
                break
            last = rows[-1]["id"]
    return rewritten
