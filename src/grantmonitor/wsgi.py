import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "grantmonitor.conf.settings")
application = get_wsgi_application()

from grantmonitor.register.crypto import require_keys  # noqa: E402 -- needs the settings

require_keys()  # no server without the keys that encrypt participants' identities

# WeasyPrint takes most of a second to import (its fonts and stylesheets): each web worker pays
# that as it starts, not the first person in it to ask for a PDF. Here and not in an app's
# ready(), so that commands and tests do not pay it.
import weasyprint  # noqa: E402, F401
