"""Settings from the environment."""

import os

DATABASE_URL = os.environ["TIMESHEETS_DATABASE_URL"]
# Signs the ``uid`` cookie (Bottle's signed cookies: an HMAC over the value).
COOKIE_SECRET = os.environ["TIMESHEETS_COOKIE_SECRET"]
COOKIE_MAX_AGE = 10 * 60 * 60
MAX_FAILED_LOGINS = 5
LOCKOUT_MINUTES = 15
