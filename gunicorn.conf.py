"""gunicorn reads this file from the working directory (/app in the image) on its own.

The access log keeps method, path, status, size, duration and the request id, but never
the query string (searches carry names and phone numbers) nor the referer (which carries
the previous page's query string): the right to erasure covers the logs too.

gunicorn sets the request scheme from X-Forwarded-Proto only for peers in
forwarded_allow_ips: the same TRUSTED_PROXIES list as Django's (escorter/proxies.py), so
that nobody else can make a plain-HTTP request look like HTTPS. It never rewrites
REMOTE_ADDR: the client address is worked out by escorter.proxies.client_ip.
"""

import os

access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms rid=%({x-request-id}o)s'
forwarded_allow_ips = os.environ.get("TRUSTED_PROXIES", "")
