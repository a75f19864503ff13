"""Use cases beside the verification service: record a call, work the intake queue, read the
alerts, name who verified, manage API keys and decide what a key's token may do. Each takes its
ports as arguments; none knows Flask or SQL."""
