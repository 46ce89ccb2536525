"""Single sign-on switch benchmark against a real two-region cloud (tools.localcloud).

Prints, last, one line:
  sso-switch: p50=<ms> p95=<ms> redirects=<n>

One switch is what a click on another region in the switcher does: the POST to this
region's /sso/switch/<id>/ and every redirect after it (the target's login, this region's
authorization endpoint, the target's callback with its server-to-server token request,
the landing page), timed from sending the POST until the target's page has arrived whole.
A scripted HTTP client (requests) follows the redirects, switching back and forth between
regions 1 and 2, so every switch starts from a signed-in page.

Run: .venv/bin/python -m benchmarks.sso_switch [--switches 100]
Needs PostgreSQL and Redis on 127.0.0.1 (as `make cloud`).
"""

from __future__ import annotations

import argparse
import re
import statistics
import tempfile
import time
from pathlib import Path

import requests

from tests.portal_process import free_port
from tools.localcloud import Cloud

PASSWORD = "Benchmark-Passphrase-2026"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def sign_in(session: requests.Session, region) -> None:
    page = session.get(f"{region.url}/accounts/login/", timeout=10)
    token = CSRF.search(page.text).group(1)
    response = session.post(
        f"{region.url}/accounts/login/",
        data={"csrfmiddlewaretoken": token, "login": "admin", "password": PASSWORD},
        headers={"Referer": f"{region.url}/accounts/login/"},
        timeout=10,
    )
    assert 'id="user-menu"' in response.text, "sign-in failed"


def switch(session: requests.Session, source, target, page: str) -> tuple[float, int, str]:
    """Switch from SOURCE (signed in, showing PAGE) to TARGET; (seconds, redirects)."""
    token = CSRF.search(page).group(1)
    started = time.perf_counter()
    response = session.post(
        f"{source.url}/sso/switch/{target.index}/",
        data={"csrfmiddlewaretoken": token, "next": "/zones/"},
        headers={"Referer": f"{source.url}/zones/"},
        timeout=30,
    )
    elapsed = time.perf_counter() - started
    assert response.url == f"{target.url}/zones/", response.url
    assert f">Region: {target.name}<" in response.text, "not signed in at the target"
    return elapsed, len(response.history), response.text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--switches", type=int, default=100)
    args = parser.parse_args()
    base_port = free_port()
    with tempfile.TemporaryDirectory(prefix="sso-bench-") as workdir:
        cloud = Cloud(
            regions=2,
            base_port=base_port,
            prefix=f"rp_bench_sso_{base_port}",
            workdir=Path(workdir),
            admin_password=PASSWORD,
            redis_base_db=11,
        )
        try:
            cloud.create(fresh=True)
            one, two = cloud.regions
            session = requests.Session()
            sign_in(session, one)
            page = session.get(f"{one.url}/zones/", timeout=10).text
            # Warm-up: first connections, first SSO (JWKS fetch, client registration sync).
            regions = [(one, two), (two, one)]
            for i in range(4):
                _, _, page = switch(session, *regions[i % 2], page)
            times, redirects = [], set()
            for i in range(args.switches):
                elapsed, hops, page = switch(session, *regions[i % 2], page)
                times.append(elapsed * 1000)
                redirects.add(hops)
            print(
                f"{args.switches} switches between 2 regions: "
                f"mean {statistics.mean(times):.1f} ms, min {min(times):.1f} ms, "
                f"max {max(times):.1f} ms"
            )
            print(
                f"sso-switch: p50={percentile(times, 50):.0f} p95={percentile(times, 95):.0f} "
                f"redirects={max(redirects)}"
            )
        finally:
            cloud.stop()
            cloud.drop()


if __name__ == "__main__":
    main()
