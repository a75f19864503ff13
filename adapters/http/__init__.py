"""Reaching payers over HTTP: timeouts, retries, rate limits and a circuit breaker."""
