"""The operator's console (issue 18, console/) in a real browser: Debian's
chromium, headless, driven through chromedriver by selenium, against the
module's real nginx and programs.  The browser logs in as a person does,
with the web server's Basic auth (the credentials in the first URL stand
for what the person types into the browser's own prompt; fetch then sends
them, as it would a client certificate), so every action goes through the
API's claims.  The tests write the screenshots the README shows
(docs/console-*.png)."""
import base64
import contextlib
import datetime
import glob
import os
import re
import subprocess
import tempfile
import time
import uuid

import pytest
from cryptography import x509
from selenium import webdriver
from selenium.webdriver.chrome.service import Service as DriverService
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from conftest import DB, ISSUING_CA, ROOT, USERS, WEB

# The console speaks HTTP only; which database answers the API is the API
# tests' business, so the browser runs once per web server, on LMDB.
pytestmark = pytest.mark.skipif(
    DB != "lmdb", reason="the console is tested on LMDB (same API on PostgreSQL)")

SHOTS = os.path.join(ROOT, "docs")
CHROMEDRIVER = "/usr/bin/chromedriver"
OPERATOR = ("operator", "operator-pass-10")
OPERATOR_CLAIMS = ["/certificates/requests/manage/", "/monitoring/alerts/read/",
                   "/certificates/collections/read/",
                   "/certificates/collections/revoke/",
                   "/certificate_stores/read/"]
PW = "console-pass-1234"
MARKUP_CN = "<img src=x onerror=window.pwned=1>"
MARKUP_O = "<script>window.pwned=2</script>"


def ts():
    return datetime.datetime.utcnow().strftime("%Y-%m-%dT%H:%M:%SZ")


def enroll(svc, cn, template="WebServer", subject=None, user="alice", fmt="PFX",
           **extra):
    body = {"Subject": subject or "CN=%s,O=console tests" % cn,
            "Template": template, "CertificateAuthority": ISSUING_CA,
            "KeyType": "ECC", "Timestamp": ts(), "Password": PW,
            "SANs": {"dns": [cn if "<" not in cn else "markup.example.com"]}}
    body.update(extra)
    r = svc.enroll(body, fmt=fmt, user=user)
    assert r.status_code == 200, r.text
    return r.json()["CertificateInformation"]


def pending(svc, cn, **kw):
    ci = enroll(svc, cn, template="NeedsApproval", **kw)
    assert ci["RequestDisposition"] == "PENDING", ci
    return ci["KeyfactorRequestId"]


def api(svc, method, path, **kw):
    kw.setdefault("user", "approver")
    r = svc.request(method, path, **kw)
    assert r.status_code == 200, r.text
    return r.json()


@pytest.fixture(scope="module")
def operator(svc):
    """A person with the claims the console's pages need, added to the
    running service (nginx reads the htpasswd file on each login)."""
    name, pw = OPERATOR
    svc.tool("role", "add", "Operators", *sum((["--claim", c] for c in
                                               OPERATOR_CLAIMS), []))
    svc.tool("user", "add", name, "--role", "Operators")
    h = subprocess.run(["openssl", "passwd", "-apr1", pw], capture_output=True,
                       text=True, check=True).stdout.strip()
    with open(os.path.join(svc.run, "htpasswd"), "a") as f:
        f.write("%s:%s\n" % (name, h))
    # for svc.request; gone after the module, whose service alone has it
    USERS[name] = (pw, ["Operators"])
    yield name
    del USERS[name]


@contextlib.contextmanager
def chromium(width=1280, height=900, downloads=None):
    o = webdriver.ChromeOptions()
    o.binary_location = "/usr/bin/chromium"
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu",
              "--disable-dev-shm-usage", "--window-size=%d,%d" % (width, height),
              # the test CA is not in chromium's trust store
              "--ignore-certificate-errors"):
        o.add_argument(a)
    if downloads is not None:
        o.add_experimental_option("prefs", {
            "download.default_directory": downloads,
            "download.prompt_for_download": False})
    d = webdriver.Chrome(service=DriverService(CHROMEDRIVER), options=o)
    try:
        yield d
    finally:
        d.quit()


@pytest.fixture(scope="module")
def downloads():
    d = tempfile.mkdtemp(prefix="certenroll-console-dl-")
    yield d
    for f in glob.glob(os.path.join(d, "*")):
        os.unlink(f)
    os.rmdir(d)


@pytest.fixture(scope="module")
def browser(svc, operator, downloads):
    """Chromium logged in as the operator (one browser for the module)."""
    with chromium(downloads=downloads) as d:
        login(d, svc, operator, OPERATOR[1])
        yield d


def login(d, svc, user, pw):
    """Opens the console with the browser's own Basic-auth login."""
    d.get(svc.url.replace("https://", "https://%s:%s@" % (user, pw)) +
          "/console/")
    shown(d, "overview")


def shown(d, route, timeout=20):
    """Waits until the console has drawn route ("pending", "certificates/3")."""
    WebDriverWait(d, timeout).until(lambda d: d.execute_script(
        "return document.getElementById('main').dataset.shown") == route)
    main = d.find_element(By.ID, "main")
    # a value drawn without its text (an object, a missing field)
    assert "[object " not in main.text and "undefined" not in main.text, main.text
    return main


def go(d, svc, route):
    d.get(svc.url + "/console/#/" + route)
    return shown(d, route)


def wait_for(d, css, timeout=20):
    WebDriverWait(d, timeout).until(
        lambda d: d.find_elements(By.CSS_SELECTOR, css))
    return d.find_elements(By.CSS_SELECTOR, css)


def shot(d, name):
    if WEB != "nginx":
        return  # the README's pictures come from one run
    os.makedirs(SHOTS, exist_ok=True)
    # the whole page, not only the window
    h = d.execute_script("return document.documentElement.scrollHeight")
    w = d.get_window_size()
    d.set_window_size(w["width"], min(max(h + 120, 400), 4000))
    d.save_screenshot(os.path.join(SHOTS, "console-%s.png" % name))
    d.set_window_size(w["width"], w["height"])


def fill(main, field_id, text):
    """Types text into an empty field (the search form keeps what it held)."""
    el = main.find_element(By.ID, field_id)
    el.clear()
    el.send_keys(text)


def row_of(main, request_id):
    for tr in main.find_elements(By.CSS_SELECTOR, "tbody tr"):
        if tr.find_elements(By.CSS_SELECTOR, "input[value='%d']" % request_id):
            return tr
    raise AssertionError("request %d is not listed" % request_id)


def no_script_ran(d):
    assert d.execute_script("return window.pwned === undefined"), \
        "markup from a certificate ran as script"
    assert not d.find_elements(By.CSS_SELECTOR, "main img, main script")


# -- served as a static application with its policy -------------------------
def test_console_is_served_with_a_policy_against_inline_script(svc):
    with svc.session() as s:
        r = s.get(svc.url + "/console/", verify=svc.ca_bundle)
        assert r.status_code == 401 and "WWW-Authenticate" in r.headers
        r = s.get(svc.url + "/console/", auth=("alice", USERS["alice"][0]),
                  verify=svc.ca_bundle)
        assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/html")
        csp = r.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "default-src 'none'" in csp
        assert "unsafe" not in csp and "frame-ancestors 'none'" in csp
        assert r.headers["X-Content-Type-Options"] == "nosniff"
        # nothing inline for the policy to have to allow
        assert not re.search(r"<script(?![^>]*\bsrc=)", r.text)
        assert not re.search(r"\son[a-z]+\s*=", r.text, re.I)
        js = s.get(svc.url + "/console/app.js", auth=("alice", USERS["alice"][0]),
                   verify=svc.ca_bundle)
        assert js.status_code == 200
        assert js.headers["Content-Type"].startswith("text/javascript")
        assert "Content-Security-Policy" in js.headers
        r = s.get(svc.url + "/console", auth=("alice", USERS["alice"][0]),
                  verify=svc.ca_bundle, allow_redirects=False)
        assert r.status_code == 301 and r.headers["Location"].endswith("/console/")


@pytest.mark.parametrize("path", ["/console/../nginx.conf", "/console/..%2fnginx.conf",
                                  "/console/%2e%2e/locations.conf",
                                  "/console/../../etc/passwd"])
def test_nothing_outside_the_console_folder_is_served(svc, path):
    with svc.session() as s:
        r = s.get(svc.url + path, auth=("alice", USERS["alice"][0]),
                  verify=svc.ca_bundle)
    assert r.status_code in (400, 403, 404), (r.status_code, r.text[:200])
    assert "fastcgi_pass" not in r.text and "root:" not in r.text


def test_no_html_is_parsed_from_data_in_the_console_source():
    """Every value goes in as text (dom.js); no sink that parses HTML or
    runs a string is used, and no page pulls in anything from elsewhere."""
    sinks = re.compile(r"innerHTML|outerHTML|insertAdjacentHTML|document\.write|"
                       r"\beval\(|new Function|setTimeout\(\s*['\"`]|"
                       r"https?://")
    files = glob.glob(os.path.join(ROOT, "console", "*"))
    assert len(files) >= 8
    for f in files:
        if f.endswith((".js", ".html", ".css")):
            with open(f) as fh:
                for n, line in enumerate(fh, 1):
                    code = line.split("//", 1)[0] if "://" not in line else line
                    if code.strip().startswith(("/*", "*")):
                        continue  # a comment may name what is not used
                    assert not sinks.search(code), \
                        "%s:%d: %s" % (f, n, line.strip())


# -- the approver's page -------------------------------------------------------
@pytest.fixture(scope="module")
def owner_pattern(svc):
    """An enrollment pattern of NeedsApproval that asks for an owner."""
    out = svc.tool("pattern", "add", "--template", "NeedsApproval", "--name",
                   "Approval with owner", "--metadata", "Owner:email:required").stdout
    return int(out.split()[-1])


def test_approve_a_pending_request_and_find_its_certificate(svc, browser,
                                                            owner_pattern):
    cn = "approve-%s.example.com" % uuid.uuid4().hex[:6]
    rid = pending(svc, cn, EnrollmentPatternId=owner_pattern,
                  Metadata={"Owner": "web-team@example.com"})
    other = pending(svc, "waiting-%s.example.com" % uuid.uuid4().hex[:6])
    main = go(browser, svc, "pending")
    tr = row_of(main, rid)
    assert cn in tr.text and "NeedsApproval" in tr.text and "alice" in tr.text
    assert "Owner: web-team@example.com" in tr.text
    assert "min" in tr.text  # its age
    tr.find_element(By.CSS_SELECTOR, "button").click()  # details
    detail = wait_for(browser, "#detail dl")[0]
    assert "Request %d" % rid in browser.find_element(By.ID, "detail").text
    assert cn in detail.text and "Pending" in detail.text
    shot(browser, "pending")
    row_of(main, rid).find_element(By.CSS_SELECTOR, "input").click()
    browser.find_element(By.ID, "approve").click()
    line = wait_for(browser, "#result li[data-request='%d']" % rid)[0]
    assert "approved: issued certificate" in line.text, line.text
    # the API says the same: issued, the other one still waits
    view = api(svc, "GET", "/Workflow/Certificates/%d" % rid)
    assert view["StateString"] == "Issued"
    cid = view["CertificateId"]
    assert "certificate %d" % cid in line.text
    assert api(svc, "GET", "/Workflow/Certificates/%d" % other)["State"] == 1
    row_of(shown(browser, "pending"), other)
    line.find_element(By.TAG_NAME, "a").click()
    main = shown(browser, "certificates/%d" % cid)
    assert "Certificate %d" % cid in main.text
    assert cn in main.text and "NeedsApproval" in main.text
    assert "DNS: %s" % cn in main.text and "ECC, 256 bits, P-256" in main.text
    assert "Active" in main.text and "Owner: web-team@example.com" in main.text
    shot(browser, "certificate")


def test_deny_several_with_a_comment(svc, browser):
    rids = [pending(svc, "deny%d-%s.example.com" % (n, uuid.uuid4().hex[:6]))
            for n in range(2)]
    main = go(browser, svc, "pending")
    for rid in rids:
        row_of(main, rid).find_element(By.CSS_SELECTOR, "input").click()
    comment = browser.find_element(By.ID, "deny-comment")
    comment.send_keys("No ticket for these <b>names</b>")
    browser.find_element(By.ID, "deny").click()
    for rid in rids:
        line = wait_for(browser, "#result li[data-request='%d']" % rid)[0]
        assert "denied" in line.text, line.text
        v = api(svc, "GET", "/Workflow/Certificates/%d" % rid)
        assert v["StateString"] == "Denied"
        assert v["Comment"] == "No ticket for these <b>names</b>"
    denied = browser.find_element(By.CSS_SELECTOR, "section[aria-labelledby=denied-h]")
    assert "No ticket for these <b>names</b>" in denied.text
    assert not denied.find_elements(By.TAG_NAME, "b")


def test_approving_without_a_selection_says_so(svc, browser):
    go(browser, svc, "pending")
    browser.find_element(By.ID, "approve").click()
    note = wait_for(browser, "form.act p.notice.error")[0]
    assert "Select at least one request" in note.text


# -- certificates -------------------------------------------------------------
def test_search_with_the_form_and_free_text_pages_through(svc, browser):
    tag = "srch%s" % uuid.uuid4().hex[:6]
    ids = [enroll(svc, "%s-%02d.example.com" % (tag, n))["KeyfactorId"]
           for n in range(27)]
    other = enroll(svc, "%s.other.example.org" % tag)["KeyfactorId"]
    main = go(browser, svc, "certificates")
    fill(main, "f-cn", tag + "-")
    fill(main, "f-free", 'IssuedDN -contains "console tests"')
    fill(main, "f-template", "WebServer")
    main.find_element(By.ID, "search").click()
    WebDriverWait(browser, 20).until(lambda d: "%s-00" % tag in d.find_element(
        By.ID, "results").text)
    q = browser.find_element(By.CSS_SELECTOR, "#results .query").text
    assert q == ('IssuedCN -contains "%s-" AND TemplateName -eq "WebServer" AND '
                 '(IssuedDN -contains "console tests")' % tag)
    # the same query through the API gives the same first page
    want = [c["Id"] for c in api(svc, "GET", "/Certificates", user="alice", params={
        "pq.queryString": q, "ReturnLimit": "25"})]
    seen = [int(a.text) for a in browser.find_elements(
        By.CSS_SELECTOR, "#results tbody td:first-child a")]
    assert seen == want and len(seen) == 25 and set(seen) <= set(ids)
    shot(browser, "certificates")
    nxt = [b for b in browser.find_elements(By.CSS_SELECTOR, "#results button")
           if b.text == "Next page"][0]
    nxt.click()
    WebDriverWait(browser, 20).until(lambda d: "page 2" in d.find_element(
        By.ID, "results").text)
    seen2 = [int(a.text) for a in browser.find_elements(
        By.CSS_SELECTOR, "#results tbody td:first-child a")]
    assert sorted(seen + seen2) == sorted(ids) and other not in seen2


def test_a_form_field_stays_one_value_of_its_term(svc, browser):
    """A quote or backslash typed into a field is escaped, not a way to
    add terms: this one would otherwise match every certificate."""
    enroll(svc, "inject-%s.example.com" % uuid.uuid4().hex[:6])
    main = go(browser, svc, "certificates")
    for f in ("f-template", "f-free"):
        fill(main, f, "")
    fill(main, "f-cn", 'zz\\" OR IssuedCN -contains "')
    main.find_element(By.ID, "search").click()
    WebDriverWait(browser, 20).until(lambda d: "No certificate matches" in
                                     d.find_element(By.ID, "results").text)
    q = browser.find_element(By.CSS_SELECTOR, "#results .query").text
    assert q == 'IssuedCN -contains "zz\\\\\\" OR IssuedCN -contains \\""', q


def test_a_bad_query_shows_the_apis_message(svc, browser):
    main = go(browser, svc, "certificates")
    for f in ("f-cn", "f-template"):
        fill(main, f, "")
    fill(main, "f-free", "Nonsense -eq 1")
    main.find_element(By.ID, "search").click()
    err = wait_for(browser, "#results .notice.error")[0]
    assert err.text.startswith("400:") and "Nonsense" in err.text


def test_markup_in_a_subject_shows_as_text(svc, browser):
    subject = "CN=%s,O=%s" % (MARKUP_CN, MARKUP_O)
    cid = enroll(svc, MARKUP_CN, subject=subject)["KeyfactorId"]
    rid = pending(svc, MARKUP_CN, subject=subject)
    main = go(browser, svc, "certificates/%d" % cid)
    got = api(svc, "GET", "/Certificates/%d" % cid, user="alice")
    assert "<script>" in got["IssuedDN"].replace("\\", "")
    assert got["IssuedDN"] in main.text and got["IssuedCN"] in main.text
    assert "<img src=x" in got["IssuedCN"]
    no_script_ran(browser)
    main = go(browser, svc, "pending")
    assert MARKUP_CN in row_of(main, rid).text
    no_script_ran(browser)
    main = go(browser, svc, "certificates")
    for f in ("f-template", "f-free"):
        fill(main, f, "")
    fill(main, "f-cn", "<img src=x")
    main.find_element(By.ID, "search").click()
    WebDriverWait(browser, 20).until(lambda d: got["IssuedCN"] in d.find_element(
        By.ID, "results").text)
    no_script_ran(browser)


def test_download_the_certificate_with_its_chain(svc, browser, downloads):
    cid = enroll(svc, "download-%s.example.com" % uuid.uuid4().hex[:6])["KeyfactorId"]
    main = go(browser, svc, "certificates/%d" % cid)
    [b for b in main.find_elements(By.CSS_SELECTOR, "button")
     if b.text == "Download PEM with chain"][0].click()
    path = os.path.join(downloads, "certificate-%d.pem" % cid)
    deadline = time.time() + 20
    while not os.path.exists(path) and time.time() < deadline:
        time.sleep(0.1)
    with open(path) as f:
        pem = f.read()
    certs = [x509.load_pem_x509_certificate(b.encode()) for b in re.findall(
        r"-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----", pem, re.S)]
    got = api(svc, "GET", "/Certificates/%d" % cid, user="alice")
    assert certs[0].public_bytes(x509.base.serialization.Encoding.DER) == \
        base64.b64decode(got["ContentBytes"])
    issuer = x509.load_pem_x509_certificate(svc.ca_pem(ISSUING_CA).encode())
    assert certs[1] == issuer and len(certs) == 3  # leaf, issuing CA, root


def test_revoke_from_the_certificate_page(svc, browser):
    cid = enroll(svc, "revoke-%s.example.com" % uuid.uuid4().hex[:6])["KeyfactorId"]
    main = go(browser, svc, "certificates/%d" % cid)
    main.find_element(By.ID, "r-comment").send_keys("key left on a laptop")
    main.find_element(By.CSS_SELECTOR, "#r-reason option[value='1']").click()
    main.find_element(By.ID, "revoke").click()
    WebDriverWait(browser, 20).until(lambda d: "Revoked" in d.find_element(
        By.ID, "main").text)
    got = api(svc, "GET", "/Certificates/%d" % cid, user="alice",
              params={"includeRevoked": "true"})
    assert got["CertState"] == 2 and got["RevocationReason"] == 1
    assert got["RevocationComment"] == "key left on a laptop"
    assert "key left on a laptop" in browser.find_element(By.ID, "main").text


# -- stores and overview ------------------------------------------------------
def test_stores_and_what_they_hold(svc, browser, tmp_path):
    folder = tmp_path / "pem"
    folder.mkdir()
    sid = svc.tool("store", "add", "--type", "PEM", "--path", str(folder),
                   "--container", "1", "--machine", "web01.example.com").stdout.strip()
    ci = enroll(svc, "stored-%s.example.com" % uuid.uuid4().hex[:6], user="storeops",
                fmt="STORE")
    r = svc.request("POST", "/Enrollment/PFX/Deploy", user="storeops", json={
        "Stores": [{"StoreId": sid, "Alias": "web-tls", "Overwrite": False}],
        "CertificateId": ci["KeyfactorId"], "Password": PW})
    assert r.status_code == 200 and r.json()["SuccessfulStores"] == [sid], r.text
    svc.tool("agent", "--once")
    main = go(browser, svc, "stores")
    link = [a for a in main.find_elements(By.CSS_SELECTOR, "tbody a")
            if a.get_attribute("href").endswith(sid)]
    assert link and "web01.example.com" in main.text and "PEM folder" in main.text
    link[0].click()
    main = shown(browser, "stores/%s" % sid)
    WebDriverWait(browser, 20).until(lambda d: "web-tls" in d.find_element(
        By.ID, "main").text)
    assert str(folder) in main.text
    # the inventory (the agent's last look), then the store's jobs
    WebDriverWait(browser, 20).until(lambda d: len(d.find_elements(
        By.CSS_SELECTOR, "section tbody tr")) >= 2)
    inv, jobs = main.find_elements(By.CSS_SELECTOR, "section")[:2]
    rows = [tr.text for tr in inv.find_elements(By.CSS_SELECTOR, "tbody tr")]
    assert len(rows) == 1 and rows[0].startswith("web-tls"), rows
    rows = [tr.text for tr in jobs.find_elements(By.CSS_SELECTOR, "tbody tr")]
    assert len(rows) == 1 and "add web-tls" in rows[0] and "succeeded" in rows[0], rows
    shot(browser, "stores")
    assert any(a.get_attribute("href").endswith("/%d" % ci["KeyfactorId"])
               for a in main.find_elements(By.CSS_SELECTOR, "section tbody a"))


def test_overview_counts_what_the_api_lists(svc, browser):
    pending(svc, "overview-%s.example.com" % uuid.uuid4().hex[:6])
    main = go(browser, svc, "overview")
    cards = {c.text.split("\n", 1)[1].split("\n")[0]: c.text.split("\n")[0]
             for c in main.find_elements(By.CSS_SELECTOR, ".card")}
    n_pending = len(api(svc, "GET", "/Workflow/Certificates/Pending",
                        params={"ReturnLimit": "5000"}))
    assert cards["Pending approval"] == str(n_pending) and n_pending >= 1
    day = (datetime.datetime.utcnow() - datetime.timedelta(days=1)).strftime(
        "%Y-%m-%dT%H:%M:%SZ")
    n_new = len(api(svc, "GET", "/Certificates", user="alice", params={
        "pq.queryString": 'ImportDate -ge "%s"' % day, "ReturnLimit": "5000"}))
    assert cards["Issued in the last 24 h"] == str(n_new) and n_new >= 1
    assert cards["Expiring in 30 days"] == "0"  # WebServer's are for a year
    n_failed = len(api(svc, "GET", "/OrchestratorJobs/JobHistory", user="storeops",
                       params={"pq.queryString": "Result -eq 3", "ReturnLimit": "5000"}))
    assert cards["Failed management jobs"] == str(n_failed)
    shot(browser, "overview")
    # a count leads to what it counts
    [c for c in main.find_elements(By.CSS_SELECTOR, ".card")
     if "Issued in the last 24 h" in c.text][0].click()
    WebDriverWait(browser, 20).until(lambda d: d.execute_script(
        "return document.getElementById('main').dataset.shown || ''").startswith(
            "certificates/q="))
    WebDriverWait(browser, 20).until(lambda d: d.find_elements(
        By.CSS_SELECTOR, "#results tbody tr"))
    assert len(browser.find_elements(By.CSS_SELECTOR, "#results tbody tr")) == \
        min(n_new, 25)
    assert browser.find_element(By.ID, "f-free").get_attribute(
        "value").startswith("ImportDate -ge ")


# -- who may see what ---------------------------------------------------------
def test_a_user_without_the_claim_is_told_which(svc):
    with chromium() as d:
        login(d, svc, "carol", USERS["carol"][0])
        for route, claim in (("pending", "/monitoring/alerts/read/"),
                             ("certificates", "/certificates/collections/read/"),
                             ("stores", "/certificate_stores/read/")):
            main = go(d, svc, route)
            err = wait_for(d, "main .notice.error")[0]
            assert err.text.startswith("403:") and claim in err.text, err.text
            assert "certenroll role add" in err.text
            assert not d.find_elements(By.CSS_SELECTOR, "main form, main table")
            assert main.find_element(By.TAG_NAME, "h1").text
            if route == "pending":
                shot(d, "forbidden")
        main = go(d, svc, "overview")
        assert "403:" in main.text


def test_approving_needs_the_manage_claim(svc):
    """watcher may list requests but not approve them: the console shows
    the list and the refusal, and nothing is approved."""
    rid = pending(svc, "watched-%s.example.com" % uuid.uuid4().hex[:6])
    with chromium() as d:
        login(d, svc, "watcher", USERS["watcher"][0])
        main = go(d, svc, "pending")
        row_of(main, rid).find_element(By.CSS_SELECTOR, "input").click()
        d.find_element(By.ID, "approve").click()
        note = wait_for(d, "form.act p.notice.error")[0]
        assert note.text.startswith("403:") and "/certificates/requests/manage/" in note.text
    assert api(svc, "GET", "/Workflow/Certificates/%d" % rid)["State"] == 1


def test_wrong_password_gets_no_page(svc):
    with chromium() as d:
        d.get(svc.url.replace("https://", "https://operator:wrong@") + "/console/")
        time.sleep(0.5)
        assert d.find_elements(By.ID, "main") == []
        assert "certenroll console" not in d.page_source


# -- usable -------------------------------------------------------------------
def test_every_control_has_a_label_and_narrow_screens_do_not_scroll_sideways(
        svc, operator):
    pending(svc, "narrow-%s.example.com" % uuid.uuid4().hex[:6])
    with chromium(width=390, height=844) as d:
        login(d, svc, operator, OPERATOR[1])
        for route in ("overview", "pending", "certificates", "stores"):
            go(d, svc, route)
            unlabelled = d.execute_script("""
                return [...document.querySelectorAll('input, select, textarea, button')]
                  .filter(e => !(e.labels && e.labels.length) &&
                               !e.getAttribute('aria-label') && !e.textContent.trim())
                  .map(e => e.outerHTML);""")
            assert unlabelled == [], (route, unlabelled)
            wide = d.execute_script(
                "return document.documentElement.scrollWidth - window.innerWidth")
            assert wide <= 0, (route, wide)
            if route == "pending":
                shot(d, "narrow")


def test_the_keyboard_reaches_search_and_submits_it(svc, browser):
    from selenium.webdriver.common.keys import Keys
    go(browser, svc, "certificates")
    main = browser.find_element(By.ID, "main")
    for f in ("f-template", "f-free"):
        fill(main, f, "")
    fill(main, "f-cn", "keyboard-none-such" + Keys.ENTER)
    WebDriverWait(browser, 20).until(lambda d: "No certificate matches" in
                                     d.find_element(By.ID, "results").text)


def test_the_browser_logged_no_script_error_or_policy_violation(browser):
    """Everything the module's browser ran (read last: reading empties the
    log): no script error and nothing the Content-Security-Policy refused;
    the only failed loads are the API's own refusals the tests asked for."""
    bad = []
    for e in browser.get_log("browser"):
        msg = e["message"]
        if e["source"] == "network" and re.search(r"status of (400|403)", msg):
            continue
        if e["level"] in ("SEVERE", "WARNING") or "Content Security Policy" in msg:
            bad.append(msg)
    assert bad == []


def test_approve_with_the_keyboard_alone(svc, operator):
    """Space ticks a request, Tab reaches the approve button, Enter presses
    it: no pointer needed (a browser of its own, so the module's log check
    stays last)."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys
    rid = pending(svc, "keys-%s.example.com" % uuid.uuid4().hex[:6])
    with chromium() as d:
        login(d, svc, operator, OPERATOR[1])
        main = go(d, svc, "pending")
        row_of(main, rid).find_element(By.CSS_SELECTOR, "input").send_keys(Keys.SPACE)
        for _ in range(200):
            if d.execute_script("return document.activeElement.id") == "approve":
                break
            ActionChains(d).send_keys(Keys.TAB).perform()
        else:
            raise AssertionError("Tab never reached the approve button")
        ActionChains(d).send_keys(Keys.ENTER).perform()
        line = wait_for(d, "#result li[data-request='%d']" % rid)[0]
        assert "approved" in line.text
    assert api(svc, "GET", "/Workflow/Certificates/%d" % rid)["StateString"] == "Issued"


# -- another site's page, with the operator's login in the browser ------------
@contextlib.contextmanager
def setting(svc, name, value):
    now = dict(l.split(" = ", 1) for l in svc.tool("setting", "list").stdout.splitlines())
    old = now[name]
    svc.tool("setting", "set", name, value)
    try:
        yield
    finally:
        svc.tool("setting", "set", name, old)


def deny_as_form(svc, rid, **headers):
    """Deny rid with the body a cross-site text/plain form can send (no
    custom header: a form cannot set one) and the operator's login."""
    body = '{"CertificateRequestIds":[%d],"Comment":"forged","x":"="}' % rid
    return svc.request("POST", "/Workflow/Certificates/Deny", user=OPERATOR[0],
                       data=body, requested_with=False,
                       headers=dict({"content-type": "text/plain"}, **headers))


@pytest.mark.parametrize("site", ["cross-site", "same-site", "CROSS-SITE"])
def test_the_api_refuses_another_sites_page(svc, operator, site):
    rid = pending(svc, "csrf-%s.example.com" % uuid.uuid4().hex[:6])
    with setting(svc, "require_requested_with", "0"):
        r = deny_as_form(svc, rid, **{"Sec-Fetch-Site": site})
    assert r.status_code == 403, r.text
    assert r.json()["ErrorCode"] == "0xA0110004" and "Sec-Fetch-Site" in r.text
    assert api(svc, "GET", "/Workflow/Certificates/%d" % rid)["State"] == 1
    # the console's own requests and API clients pass
    for own in ({"Sec-Fetch-Site": "same-origin"}, {"Sec-Fetch-Site": "none"}, {}):
        r = svc.request("GET", "/Workflow/Certificates/%d" % rid, user=OPERATOR[0],
                        headers=own)
        assert r.status_code == 200, (own, r.text)


def test_a_forged_form_body_is_refused_by_the_programs_too(svc, operator):
    """Behind the web server's rule, two more: a form cannot send JSON's
    content type (415) nor the x-keyfactor-requested-with header (400,
    while require_requested_with is on), so a browser that sends no
    Sec-Fetch-Site is still no way in."""
    rid = pending(svc, "forged-%s.example.com" % uuid.uuid4().hex[:6])
    with setting(svc, "require_requested_with", "0"):
        r = deny_as_form(svc, rid)
    assert r.status_code == 415, r.text
    r = svc.request("POST", "/Workflow/Certificates/Deny", user=OPERATOR[0],
                    json={"CertificateRequestIds": [rid]}, requested_with=False)
    assert r.status_code == 400 and "x-keyfactor-requested-with" in r.text
    assert api(svc, "GET", "/Workflow/Certificates/%d" % rid)["State"] == 1


def test_a_form_on_another_sites_page_cannot_use_the_operators_login(svc, operator):
    rid = pending(svc, "evil-form-%s.example.com" % uuid.uuid4().hex[:6])
    page = ('<form id=f method=post enctype=text/plain action="%s/KeyfactorAPI/'
            'Workflow/Certificates/Deny"><input name=\'{"CertificateRequestIds":[%d],'
            '"Comment":"forged","x":"\' value=\'"}\'></form>' % (svc.url, rid))
    with setting(svc, "require_requested_with", "0"), chromium() as d:
        login(d, svc, operator, OPERATOR[1])
        d.get("data:text/html," + page)
        d.execute_script("document.getElementById('f').submit()")
        WebDriverWait(d, 20).until(lambda d: "Sec-Fetch-Site" in d.page_source)
    assert api(svc, "GET", "/Workflow/Certificates/%d" % rid)["State"] == 1
