"""Use cases the staff console adds to the verification service: record a call, work the intake
queue, read the alerts. Each takes its ports as arguments; none knows Flask or SQL."""
