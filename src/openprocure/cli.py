"""The ``openprocure`` command.

openprocure demo                 migrate, seed and start both sites with their workers
openprocure serve buyer|supplier production web server (gunicorn) for one site
openprocure worker buyer|supplier task worker for one site
openprocure buyer <command…>     any Django management command of the buyer suite
openprocure supplier <command…>  the same for the supplier storefront
openprocure cxml validate|normalize|show FILE…   cXML tools
openprocure conformance supplier|buyer URL …     check a partner's PunchOut endpoints (--help)
openprocure simulate --orders N [--buyer-url URL --supplier-url URL] [--seed S]
                                 drive N orders through both running sites and report disagreements
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TypedDict


class SiteSpec(TypedDict):
    settings: str
    port: int
    wsgi: str


SITES: dict[str, SiteSpec] = {
    "buyer": {
        "settings": "openprocure.buyer.settings",
        "port": 8000,
        "wsgi": "openprocure.buyer.wsgi:application",
    },
    "supplier": {
        "settings": "openprocure.supplier.settings",
        "port": 8100,
        "wsgi": "openprocure.supplier.wsgi:application",
    },
}

DEMO_LOGINS = """\
Demo sign-ins (password: demo)
  Buyer suite   {buyer}   requester@acme.test, approver@acme.test, admin@acme.test, ap@acme.test
  Storefront    {supplier}   operator@marketplace.test, support@marketplace.test
cXML: buyer ACME (NetworkId) -> supplier MARKETPLACE (NetworkId), shared secret acme-demo-secret
      second business Globex (Test status): GLOBEX / globex-demo-secret
"""


def site_env(site: str, extra: dict[str, str] | None = None) -> dict[str, str]:
    """Environment for a child process of one site."""
    env = dict(os.environ)
    env["DJANGO_SETTINGS_MODULE"] = SITES[site]["settings"]
    env.setdefault("PYTHONUNBUFFERED", "1")
    if extra:
        env.update(extra)
    return env


def run_django(site: str, args: Sequence[str]) -> int:
    """Run one management command of a site in this process."""
    if site not in SITES:
        print(f"Unknown site {site!r}: choose buyer or supplier.", file=sys.stderr)
        return 2
    os.environ["DJANGO_SETTINGS_MODULE"] = SITES[site]["settings"]
    from django.core.management import execute_from_command_line

    execute_from_command_line([f"openprocure {site}", *args])
    return 0


def django_child(site: str, args: Sequence[str], env: dict[str, str]) -> list[str]:
    return [sys.executable, "-m", "openprocure.cli", site, *args]


# Web server defaults (demo and serve): gunicorn's sync workers, one per core. Measured on a 2-core
# machine against SQLite, they answered PunchOut setups and orders with about half the p99 of
# 2 workers × 4 threads (threads of one process wait for each other's GIL and database turn).
# With PostgreSQL and a buffering proxy in front, raise OPENPROCURE_WEB_THREADS as you see fit.
WEB_WORKERS = 2
WEB_THREADS = 1

# Process options: the only environment variables this command reads itself, before Django starts
# (everything else is read by the sites' settings modules). Name -> (default, meaning); the
# operators' guide lists them under "Process options". Read them with :func:`process_option`.
PROCESS_OPTIONS: dict[str, tuple[str, str]] = {
    "OPENPROCURE_BIND": ("127.0.0.1:<the site's port>", "address gunicorn listens on (serve)"),
    "OPENPROCURE_WEB_WORKERS": (str(WEB_WORKERS), "gunicorn worker processes (serve)"),
    "OPENPROCURE_WEB_THREADS": (str(WEB_THREADS), "threads of each gunicorn worker (serve)"),
    "OPENPROCURE_BUYER_PORT": (str(SITES["buyer"]["port"]), "port of the buyer suite (demo)"),
    "OPENPROCURE_SUPPLIER_PORT": (str(SITES["supplier"]["port"]), "port of the storefront (demo)"),
    "OPENPROCURE_DATA_DIR": ("./data", "data folder the demo gives both sites (demo)"),
}


def process_option(name: str, default: str | None = None) -> str:
    """The process option ``name`` from the environment, else ``default`` (else its table default)."""
    table_default = PROCESS_OPTIONS[name][0]
    return os.environ.get(name, table_default if default is None else default)


def gunicorn_command(site: str, *, bind: str, workers: int, threads: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "gunicorn",
        str(SITES[site]["wsgi"]),
        "--bind",
        bind,
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--access-logfile",
        "-",
        # Session keys, tokens and passwords in paths and query strings never reach the access log.
        "--logger-class",
        "openprocure.core.redaction.RedactingLogger",
        "--graceful-timeout",
        "10",
        "--timeout",
        "60",
    ]


def serve(site: str, argv: Sequence[str]) -> int:
    """``openprocure serve SITE``: gunicorn, configured by environment variables."""
    bind = process_option("OPENPROCURE_BIND", f"127.0.0.1:{SITES[site]['port']}")
    workers = int(process_option("OPENPROCURE_WEB_WORKERS"))
    threads = int(process_option("OPENPROCURE_WEB_THREADS"))
    command = gunicorn_command(site, bind=bind, workers=workers, threads=threads) + list(argv)
    os.execvpe(command[0], command, site_env(site))


DEMO_HELP = """\
usage: openprocure demo [--products N] [--history N] [--einvoicing-platform]

Migrate, seed and start both sites with their workers on this machine (Ctrl-C stops them all).
The demo data are created the first time only: what you change afterwards (passwords, shared
secrets, payment methods, people, rules) is kept across restarts.

options:
  --products N   size of the storefront's generated catalog (default 50000)
  --history N    once both sites answer, drive N orders through them with the loop simulator
                 (openprocure simulate) so the demo starts with a realistic history
  --einvoicing-platform
                 the French e-invoicing flow: Acme's invoices are issued as Factur-X and
                 reach the buyer suite through an e-invoicing platform both sites share (a
                 folder exchange under the data folder); the buyer's statuses come back the
                 same way
  -h, --help     show this help and start nothing

environment:
  OPENPROCURE_DATA_DIR              data folder (default ./data); delete it to start over
  OPENPROCURE_BUYER_PORT            buyer suite port (default 8000)
  OPENPROCURE_SUPPLIER_PORT         storefront port (default 8100)
"""


def demo(argv: Sequence[str]) -> int:
    """``openprocure demo``: everything needed to try both sides on one machine."""
    if any(arg in ("-h", "--help") for arg in argv):
        print(DEMO_HELP, end="")
        return 0
    options = ("--products", "--history")
    flags = ("--einvoicing-platform",)
    unknown = [arg for arg in argv if arg.startswith("-") and arg not in options + flags]
    if (
        unknown
        or any(o in argv and argv.index(o) + 1 >= len(argv) for o in options)
        or ("--history" in argv and not argv[argv.index("--history") + 1].isdigit())
    ):
        print(
            f"openprocure demo: unexpected arguments {' '.join(argv)}\n\n{DEMO_HELP}", file=sys.stderr, end=""
        )
        return 2
    extra = {"OPENPROCURE_DEMO": "1"}
    extra.setdefault("OPENPROCURE_DATA_DIR", process_option("OPENPROCURE_DATA_DIR", str(Path.cwd() / "data")))
    products = "50000"
    args = list(argv)
    if "--products" in args:
        products = args[args.index("--products") + 1]
    history = int(args[args.index("--history") + 1]) if "--history" in args else 0
    ports = {site: int(process_option(f"OPENPROCURE_{site.upper()}_PORT")) for site in SITES}
    urls = {site: f"http://127.0.0.1:{port}" for site, port in ports.items()}
    envs = {
        site: site_env(
            site,
            {
                **extra,
                "OPENPROCURE_PUBLIC_URL": urls[site],
                "OPENPROCURE_DEMO_PEER_URL": urls["supplier" if site == "buyer" else "buyer"],
            },
        )
        for site in SITES
    }
    for site in SITES:
        env = envs[site]
        print(f"[{site}] migrating and seeding demo data…", flush=True)
        subprocess.run(django_child(site, ["migrate", "--noinput", "-v", "0"], env), env=env, check=True)
        seed_args = ["seed_demo"] + (["--products", products] if site == "supplier" else [])
        if site == "supplier" and "--einvoicing-platform" in args:
            seed_args.append("--einvoicing-platform")
        subprocess.run(django_child(site, seed_args, env), env=env, check=True)
    children: list[subprocess.Popen[bytes]] = []
    for site in SITES:
        env = envs[site]
        children.append(
            subprocess.Popen(
                gunicorn_command(
                    site, bind=f"127.0.0.1:{ports[site]}", workers=WEB_WORKERS, threads=WEB_THREADS
                ),
                env=env,
                start_new_session=True,
            )
        )
        children.append(
            subprocess.Popen(django_child(site, ["worker"], env), env=env, start_new_session=True)
        )
    print(
        f"\nOpenProcure demo is running: buyer suite {urls['buyer']}, storefront {urls['supplier']}."
        "\nPress Ctrl-C to stop.\n" + DEMO_LOGINS.format(**urls),
        flush=True,
    )
    if history:
        try:
            give_history(urls["buyer"], urls["supplier"], history)
        except KeyboardInterrupt:
            stop_children(children)
            return 130
    return supervise(children)


def give_history(buyer_url: str, supplier_url: str, orders: int) -> None:
    """``demo --history N``: the loop simulator drives N orders through the freshly started demo."""
    import json
    import urllib.request

    deadline = time.monotonic() + 120
    for url in (buyer_url, supplier_url):
        while True:
            try:
                with urllib.request.urlopen(f"{url}/healthz", timeout=2) as answer:
                    json.loads(answer.read())
                break
            except (OSError, ValueError):
                if time.monotonic() > deadline:
                    print(f"{url} does not answer: no history.", file=sys.stderr)
                    return
                time.sleep(0.5)
    from openprocure.simulate import main as simulate_main

    print(f"Giving the demo a history of {orders} orders…", flush=True)
    code = simulate_main(["--orders", str(orders), "--buyer-url", buyer_url, "--supplier-url", supplier_url])
    if code:
        print("The simulator found disagreements (see its report above); the demo keeps running.", flush=True)


def supervise(children: list[subprocess.Popen[bytes]]) -> int:
    """Wait until Ctrl-C (or a child dies), then stop every child cleanly."""
    stopping = False

    def stop(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    code = 0
    while not stopping:
        for child in children:
            if child.poll() is not None:
                print(
                    f"A demo process exited (code {child.returncode}): stopping the others.", file=sys.stderr
                )
                stopping, code = True, child.returncode or 1
                break
        time.sleep(0.3)
    stop_children(children)
    return code


def stop_children(children: list[subprocess.Popen[bytes]]) -> None:
    """Stop every demo process (its whole group), forcefully after 15 s."""
    for child in children:
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGTERM)
    deadline = time.monotonic() + 15
    for child in children:
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGKILL)
            child.wait()
    print("Stopped.", flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in {"-h", "--help", "help"}:
        print(__doc__)
        return 0
    command, rest = args[0], args[1:]
    if command == "demo":
        return demo(rest)
    if command in SITES:
        return run_django(command, rest)
    if command == "serve" and rest and rest[0] in SITES:
        return serve(rest[0], rest[1:])
    if command == "worker" and rest and rest[0] in SITES:
        return run_django(rest[0], ["worker", *rest[1:]])
    if command == "cxml":
        from openprocure.cxml_tools import main as cxml_main

        return cxml_main(rest)
    if command == "conformance":
        from openprocure.conformance_tools import main as conformance_main

        return conformance_main(rest)
    if command == "simulate":
        from openprocure.simulate import main as simulate_main

        return simulate_main(rest)
    print(f"Unknown command {command!r}.\n{__doc__}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
