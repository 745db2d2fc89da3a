"""gunicorn's settings for grantmonitor in production.

``gunicorn -c python:grantmonitor.conf.gunicorn grantmonitor.wsgi --bind … --workers …``;
options on the command line (or in ``GUNICORN_CMD_ARGS``) override these.

The answer to a written question is made while the reader waits for the download. On a call
of a thousand projects its PDF takes about 40 s and its DOCX about 16 s on a 2-core server
(``bench/RESULTS.md``, section 5). gunicorn stops a sync worker that has not answered in 30 s
by default: the reader got no file at all, and the proxy a closed connection. ``timeout``
leaves three times the PDF's 40 s. The reverse proxy in front must wait as long (nginx:
``proxy_read_timeout 120s``).
"""

#: Seconds a worker may take over one request before gunicorn stops it.
timeout = 120

#: Seconds a worker gets to finish its request when gunicorn restarts or stops it.
graceful_timeout = timeout
