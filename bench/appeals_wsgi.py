"""The WSGI application bench.appeals serves with gunicorn: the site plus bench.ledger_list's bare view (the
empty Django view the public intake's requests/s are compared with), on whatever database the environment names."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "duban.settings")

from django.conf import settings  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()
settings.ROOT_URLCONF = "bench.ledger_list"  # the site's URLs and /__bench__/bare/ beside them
