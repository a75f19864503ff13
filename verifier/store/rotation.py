"""Re-encrypt stored PHI under the newest data key (after adding one to VERIFIER_DATA_KEYS)."""

from __future__ import annotations

from sqlalchemy import Engine, text

from verifier.store.tables import protector_of

# Every encrypted column; the statement reads the stored ciphertext as is, past the type decorators.
ENCRYPTED_COLUMNS = {"verifications": ("request", "raw_response", "determination", "summary")}


def rotate_data(engine: Engine, batch: int = 500) -> int:
    """Rotate every encrypted value to the first key; returns how many rows were rewritten.

    Raises UnreadableCiphertext if a value is encrypted under a key no longer configured.
    """
    keys = protector_of(engine.dialect)
    rewritten = 0
    for table, columns in ENCRYPTED_COLUMNS.items():
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
