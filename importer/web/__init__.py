"""The import page (``mission-importer serve``): a Starlette app over the same library
functions as the command line (read, map, validate, engine, journal, results workbook).

Modules: :mod:`app` (the Starlette app: routes, static files, security headers; it holds
the shared state and the routes receive it), :mod:`pages` (the shared state, rendering, the
page decorator: session, CSRF, language; what the routes import),
:mod:`sessions` (sign-in, tokens in memory), :mod:`drafts` (uploads and the check grid),
:mod:`runs` (sending, progress, claims, history), ``routes_*`` (the pages), :mod:`serve`.
Needs the ``web`` extra (starlette, uvicorn, jinja2, python-multipart).
"""
