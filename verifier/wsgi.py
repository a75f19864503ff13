"""The WSGI entry point for gunicorn: `gunicorn verifier.wsgi:app`."""

from verifier.app import create_app

app = create_app()
