"""The WSGI entry point: `gunicorn -w 4 wsgi:app`."""

from pbvote import create_app

app = create_app()
