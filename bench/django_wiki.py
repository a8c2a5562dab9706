"""django-wiki (PyPI `wiki`), the peer bench/http.py --django-wiki measures CAFpedia's search
against, set up as its installation guide says and served by gunicorn like CAFpedia.

Standard library only: django-wiki runs from a virtual environment of its own, never
CAFpedia's. Layout made by setup(folder):
    folder/venv/                 the pinned packages below (kept between runs)
    folder/project/manage.py     a minimal Django project (package `peerwiki`)
    folder/project/db.sqlite3    its SQLite database (made afresh by every setup())
"""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.parse
from pathlib import Path

# wiki 0.13.0 is the latest release; it supports Django 4.2-6.0, so use the
# newest Django LTS (5.2). The rest is the resolved dependency set, pinned too.
PINS = [
    "wiki==0.13.0",
    "Django==5.2.20",
    "gunicorn==27.0.1",
    "asgiref==3.13.0",
    "bleach==6.4.0",
    "django-classy-tags==4.1.0",
    "django-js-asset==5.0.0",
    "django-mptt==0.16.0",
    "django-nyt==1.6.0",
    "django-sekizai==4.1.0",
    "Markdown==3.9",
    "pillow==13.0.0",
    "pymdown-extensions==10.21.3",
    "PyYAML==6.0.4",
    "sorl-thumbnail==12.11.0",
    "sqlparse==0.6.1",
    "tinycss2==1.5.1",
    "webencodings==0.6.1",
]

# settings.py, following docs/installation.rst of django-wiki (app order matters).
SETTINGS = """from pathlib import Path
BASE_DIR = Path(__file__).resolve().parent.parent
SECRET_KEY = "peer-benchmark-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["*"]
INSTALLED_APPS = [
    "django.contrib.auth", "django.contrib.contenttypes", "django.contrib.sessions",
    "django.contrib.messages", "django.contrib.staticfiles", "django.contrib.admin",
    "django.contrib.sites.apps.SitesConfig",
    "django.contrib.humanize.apps.HumanizeConfig",
    "django_nyt.apps.DjangoNytConfig",
    "mptt", "sekizai", "sorl.thumbnail",
    "wiki.apps.WikiConfig",
    "wiki.plugins.attachments.apps.AttachmentsConfig",
    "wiki.plugins.notifications.apps.NotificationsConfig",
    "wiki.plugins.images.apps.ImagesConfig",
    "wiki.plugins.macros.apps.MacrosConfig",
]
MIDDLEWARE = [  # Django's default stack, default order
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware", "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware"]
ROOT_URLCONF = "peerwiki.urls"
WSGI_APPLICATION = "peerwiki.wsgi.application"
TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates",
    "APP_DIRS": True,
    "OPTIONS": {"context_processors": [
        "django.contrib.auth.context_processors.auth",
        "django.template.context_processors.debug",
        "django.template.context_processors.i18n",
        "django.template.context_processors.media",
        "django.template.context_processors.request",
        "django.template.context_processors.static",
        "django.template.context_processors.tz",
        "django.contrib.messages.context_processors.messages",
        "sekizai.context_processors.sekizai",
    ]},
}]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3",
                         "NAME": BASE_DIR / "db.sqlite3"}}
SITE_ID = 1  # required by django.contrib.sites / wiki URLPath
USE_TZ = True
TIME_ZONE = "UTC"
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = BASE_DIR / "media"
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
# Anonymous read (and search) is django-wiki's default: WIKI_ANONYMOUS = True.
# With DEBUG=False Django would swallow 500 tracebacks; send them to stderr.
LOGGING = {"version": 1, "disable_existing_loggers": False,
           "handlers": {"console": {"class": "logging.StreamHandler"}},
           "loggers": {"django.request": {"handlers": ["console"], "level": "ERROR"}}}
"""
URLS = """from django.contrib import admin
from django.urls import include, path
urlpatterns = [
    path("admin/", admin.site.urls),
    path("notifications/", include("django_nyt.urls")),
    path("", include("wiki.urls")),
]
"""
WSGI = """import os
from django.core.wsgi import get_wsgi_application
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peerwiki.settings")
application = get_wsgi_application()
"""
MANAGE = """import os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peerwiki.settings")
from django.core.management import execute_from_command_line
execute_from_command_line(sys.argv)
"""
# Run inside the venv: `python populate_wiki.py data.json`. Uses wiki's own API,
# so Article, ArticleRevision (title/content = what search queries), URLPath
# (MPTT tree) and ArticleForObject rows are created exactly as django-wiki does.
POPULATE = """import json, os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peerwiki.settings")
import django
django.setup()
from django.db import transaction
from wiki.models import URLPath
data = json.load(open(sys.argv[1]))
with transaction.atomic():  # one transaction: SQLite commits are the slow part
    root = URLPath.create_root(title="Root", content="Benchmark wiki root.")
    for slug, title, body in data:
        URLPath.create_urlpath(root, slug, title=title, content=body)
print(URLPath.objects.count() - 1, "articles")
"""


def _venv(project: Path) -> Path:  # setup() puts venv/ beside project/
    return project.parent / "venv"


def setup(folder: Path) -> Path:
    """Create venv + Django project under folder, migrate a fresh DB; return project."""
    folder = Path(folder).resolve()
    venv, project = folder / "venv", folder / "project"
    py = venv / "bin" / "python"
    marker = venv / "peer-pins.txt"  # reinstall only if the pins changed
    if not py.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    if not marker.exists() or marker.read_text() != "\n".join(PINS):
        r = subprocess.run(
            [str(py), "-m", "pip", "install", "-q", "--disable-pip-version-check", *PINS],
            capture_output=True,
            text=True,
        )  # hide pip noise
        if r.returncode:
            raise RuntimeError(f"installing django-wiki failed: {(r.stdout + r.stderr)[-2000:]}")
        marker.write_text("\n".join(PINS))
    pkg = project / "peerwiki"
    pkg.mkdir(parents=True, exist_ok=True)
    for path, text in [
        (pkg / "__init__.py", ""),
        (pkg / "settings.py", SETTINGS),
        (pkg / "urls.py", URLS),
        (pkg / "wsgi.py", WSGI),
        (project / "manage.py", MANAGE),
        (project / "populate_wiki.py", POPULATE),
    ]:
        path.write_text(text)
    (project / "db.sqlite3").unlink(missing_ok=True)  # every setup starts empty
    subprocess.run([str(py), "manage.py", "migrate", "--noinput", "-v", "0"], cwd=project, check=True)
    return project


def populate(project: Path, articles: list[tuple[str, str, str]]) -> None:
    """Create the root article and one child per (slug, title, markdown body)."""
    data = project / "populate.json"
    data.write_text(json.dumps(articles))
    subprocess.run([str(_venv(project) / "bin" / "python"), "populate_wiki.py", str(data)], cwd=project, check=True)


def command(project: Path, port: int) -> list[str]:
    """gunicorn, 2 sync workers, bound to 127.0.0.1:port."""
    # --no-control-socket: gunicorn >= 25.1 otherwise opens ~/.gunicorn/gunicorn.ctl,
    # shared by every gunicorn on the machine (clash when two servers run).
    return [
        str(_venv(project) / "bin" / "gunicorn"),
        "-w",
        "2",
        "-k",
        "sync",
        "-b",
        f"127.0.0.1:{port}",
        "--chdir",
        str(project),
        "--no-control-socket",
        "peerwiki.wsgi:application",
    ]


def search_path(query: str) -> str:
    # wiki.urls: r"^_search/$" (name "wiki:search"), GET parameter q.
    return "/_search/?" + urllib.parse.urlencode({"q": query})


def article_path(slug: str) -> str:
    return f"/{slug}/"  # no trailing slash -> 301 via APPEND_SLASH
