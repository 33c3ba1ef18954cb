"""The ASGI application: Django for HTTP, Channels for the events socket (chat).

Cookie sockets are checked against the Origin in the consumer itself (apps with a bearer token send
no Origin), so the stack here only loads the session and the user.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coachos.settings")
# Django first: it sets up the apps that the consumers' imports need.
django_application = get_asgi_application()

from coachos.common.secret_key import refuse_development_key  # noqa: E402

refuse_development_key()  # DEBUG off: no server on the development key or none

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from coachos.chat.routing import websocket_urlpatterns  # noqa: E402
from coachos.ops.asgi import count_websockets  # noqa: E402

application = ProtocolTypeRouter({
    "http": django_application,
    "websocket": count_websockets(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
})
