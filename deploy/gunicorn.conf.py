"""gunicorn settings for advocacy: `gunicorn -c deploy/gunicorn.conf.py app:app`.

Every value can be changed with an environment variable of the same meaning (GUNICORN_*
below) or on the command line, which wins over this file.
"""

import multiprocessing
import os

# Loopback by default: a reverse proxy (nginx, Apache, a load balancer) terminates TLS in
# front and passes requests on; set PROXY_HOPS to the number of proxies (see the guide).
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")

# Sync workers with a few threads each: requests are short and mostly wait on the database.
# 2 x cores + 1 processes is gunicorn's own rule of thumb; more only helps with more cores.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
worker_class = "gthread" if threads > 1 else "sync"

# Posting to a network happens in the scheduler, not in a request, so no request should
# take long; a worker stuck for 30 s is restarted.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5

# Restart workers now and then, so a slow leak in any library cannot grow without bound.
max_requests = 5000
max_requests_jitter = 500

# Each worker builds its own app and connection pool: nothing opened in the master is
# shared across a fork.
preload_app = False

# gunicorn itself trusts X-Forwarded-* only from these addresses; the app applies its own
# PROXY_HOPS rule on top.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-") or None  # empty: no access log
errorlog = "-"
# No query strings in the access log: tracked links and tokens stay out of it.
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'


def on_starting(server):  # gunicorn passes its arbiter; not needed here
    """Refuse to serve a database whose schema is behind the code."""
    from advocacy.schema import check_before_serving

    check_before_serving()
