"""wagtail-openimmo inside a real ``wagtail start`` project, set up as the README says.

The project's own ``base.html`` (the one ``wagtail start`` writes) wraps the listing pages
through the README's one-line override; the listing and its index must keep the app's
stylesheet and every SEO tag (canonical URL, Open Graph, JSON-LD) and the Wagtail user bar.
"""

from __future__ import annotations

import json
import re
import sys

import pytest

from .project import ROOT, project_env, readme_block, run, start_project

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("wagtail_start")]

RENDER = """
import json
from django.test import Client
from wagtail.models import Site
from wagtail_openimmo.models import Broker, ListingPage

broker = Broker.objects.get(slug="mueller")
listing = ListingPage.objects.child_of(broker.index_page).live().get()
client = Client()
out = {"site_root": type(Site.objects.get(is_default_site=True).root_page.specific).__name__,
       "index_parent": type(broker.index_page.get_parent().specific).__name__}
# A search description, which the project's base.html renders itself: the app adds none.
listing.search_description = "Kurzbeschreibung der Wohnung"
listing.save()
for name, page in [("listing", listing), ("index", broker.index_page)]:
    response = client.get(page.url, HTTP_HOST="localhost")
    out[name] = {"status": response.status_code, "html": response.content.decode(),
                 "url": page.get_full_url()}
print("RESULT=" + json.dumps(out))
"""


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    work = tmp_path_factory.mktemp("wagtail-start")
    env = project_env(extra_path=ROOT)  # the checkout's package, as after `pip install -e`
    python = sys.executable
    project = start_project(work, python, env=env)
    # The README's template override, word for word.
    override = project / "mysite" / "templates" / "wagtail_openimmo" / "base.html"
    override.parent.mkdir(parents=True)
    override.write_text(readme_block("html", "{% extends"))
    run(python, "manage.py", "migrate", "--no-input", cwd=project, env=env, timeout=600)
    run(python, "manage.py", "openimmo_broker", "create", "mueller", "--name", "Müller",
        "--anbieternr", "1001", "--approve", cwd=project, env=env)
    feed = work / "feed.zip"
    run(python, "-c",
        "import sys; from wagtail_openimmo.openimmo.generate import demo_property, write_zip; "
        "write_zip(sys.argv[1], [demo_property(1, images=1)], anbieternr='1001')",
        str(feed), cwd=project, env=env)
    run(python, "manage.py", "openimmo_import", str(feed), "--broker", "mueller",
        "--no-report", cwd=project, env=env, timeout=600)
    output = run(python, "manage.py", "shell", "-c", RENDER, cwd=project, env=env).stdout
    [line] = [line for line in output.splitlines() if line.startswith("RESULT=")]
    return json.loads(line.removeprefix("RESULT="))


def test_the_broker_index_goes_under_the_projects_home_page(rendered):
    assert rendered["site_root"] == "HomePage"
    assert rendered["index_parent"] == "HomePage"


@pytest.mark.parametrize("name", ["listing", "index"])
def test_pages_render_in_the_projects_base_with_stylesheet_and_seo_tags(rendered, name):
    page = rendered[name]
    html = page["html"]
    assert page["status"] == 200
    # The project's own base.html is the layout ...
    assert 'href="/static/css/mysite.css"' in html
    assert 'src="/static/js/mysite.js"' in html
    # ... and nothing of the app's head is lost.
    assert html.count('href="/static/wagtail_openimmo/openimmo.css"') == 1
    head = html.split("</head>")[0]
    assert f'<link rel="canonical" href="{page["url"]}">' in head
    assert f'<meta property="og:url" content="{page["url"]}">' in head
    # One description, never two: the project's base renders the search description.
    descriptions = re.findall(r'<meta name="description" content="([^"]*)"', head)
    if name == "listing":
        assert descriptions == ["Kurzbeschreibung der Wohnung"]
        assert '<meta property="og:description" content="Kurzbeschreibung der Wohnung">' in head
    else:
        assert len(descriptions) <= 1
    if name == "listing":
        [data] = re.findall(r'<script type="application/ld\+json">(.*?)</script>', head, re.S)
        assert json.loads(data)["url"] == page["url"]
        assert 'src="/static/wagtail_openimmo/openimmo.js"' in html
