import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coachos.settings")
application = get_wsgi_application()

from coachos.common.secret_key import refuse_development_key  # noqa: E402

refuse_development_key()  # DEBUG off: no server on the development key or none
