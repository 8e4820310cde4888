import os
import shutil
import subprocess

import pytest

from tests.helpers.tools import missing

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
CHROMIUM_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    # Nothing but the live test server is reachable.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    "--window-size=1280,900",
]


@pytest.fixture(scope="session")
def chromium():
    """One headless Chromium for the whole run; pages are cheap, starting it is not."""
    if not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)):
        missing("Chromium is not installed: apt-get install chromium chromium-driver")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    yield driver
    driver.quit()


@pytest.fixture(scope="session")
def pdftotext():
    path = shutil.which("pdftotext")
    if not path:
        missing("pdftotext is not installed: apt-get install poppler-utils")
    # The print tests count pages set in the fonts print.css names (Arial, Times New
    # Roman, as staff machines have them); DejaVu, the only fonts of a bare Debian,
    # is a tenth wider and would measure another sheet.
    fc_match = shutil.which("fc-match")
    fonts = fc_match and subprocess.run(
        [fc_match, "--format=%{family}", "Arial"], capture_output=True, text=True
    )
    if not fonts or not {"Arial", "Liberation Sans"} & set(fonts.stdout.split(",")):
        missing(
            "No font with Arial's metrics for the print tests: apt-get install "
            "fonts-liberation"
        )
    return path


@pytest.fixture(autouse=True)
def empty_page_cache(request, django_db_blocker):
    """Every test starts with an empty cache, so no page stored by another test (whose
    rows were rolled back) is served; the suite runs with the page cache on."""
    from django.core.cache import cache
    from django.test import TransactionTestCase

    import pagecache
    from tests.helpers.page_cache import lists_compared

    cache.clear()
    if request.cls and issubclass(request.cls, TransactionTestCase):
        with django_db_blocker.unblock():
            # The next publish or expiry time, as a save would have stored it; and
            # what the rows of setUpTestData did to the lists, compared now, lest
            # the comparison's queries count as the test's first page's.
            pagecache.invalidate()
            lists_compared()
