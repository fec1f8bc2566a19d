"""gunicorn reads this file from the working directory (/app in the image) on its own.

The access log keeps method, path, status, size, duration and the request id, but never
the query string (searches carry names and phone numbers) nor the referer (which carries
the previous page's query string): the right to erasure covers the logs too.
"""

access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms rid=%({x-request-id}o)s'
