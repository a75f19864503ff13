"""SQL storage: tables (`tables`), engines (`engine`), the stores, and migrations (`migrate`).

Nothing is re-exported here: importing a store must not import Alembic, which only
`verifier db upgrade` and `verifier serve` need, and which adds a tenth of a second to every
worker's start-up.
"""
