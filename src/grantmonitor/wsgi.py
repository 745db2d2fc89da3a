import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "grantmonitor.conf.settings")
application = get_wsgi_application()

from grantmonitor.register.crypto import require_keys  # noqa: E402 -- needs the settings

require_keys()  # no server without the keys that encrypt participants' identities
