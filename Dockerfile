# The verification API under gunicorn, as a non-root user.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    VERIFIER_DATABASE_URL=sqlite:////data/verifier.sqlite3

RUN useradd --create-home --uid 10001 verifier \
    && mkdir /data && chown verifier /data

WORKDIR /app
COPY pyproject.toml README.md ./
COPY verifier ./verifier
COPY adapters ./adapters
COPY schemas ./schemas
RUN pip install --no-cache-dir .

USER 10001
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2)"]
CMD ["verifier", "serve", "--host", "0.0.0.0", "--port", "8000"]
