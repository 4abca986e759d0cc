"""gunicorn wsgi:application"""

import bottle
from timesheets import auth, routes  # noqa: F401  (the modules register their routes on the default app)

application = bottle.default_app()
