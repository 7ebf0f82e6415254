"""The web corner (協働推進コーナー): server-rendered pages in the same Starlette app as the
LINE and Slack webhooks; see docs/web.md. bot/app.py composes it (``routes``, ``middleware``)."""
