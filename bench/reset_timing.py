#!/usr/bin/env python3
"""Password-reset requests answer in about the same time whether or not the address has an
account: times POST /v1/password-resets for 30 registered, verified addresses and 30 unknown
ones against a release build on SQLite (loopback only), and prints the medians and p90s.

    cargo build --release -p portal-api && python3 bench/reset_timing.py
"""
import http.client
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import portal as P

tmp = tempfile.mkdtemp()
port = P.free_port()
env = dict(os.environ, PORTAL_BIND=f"127.0.0.1:{port}", PORTAL_DATABASE_URL=f"sqlite://{tmp}/p.db",
           PORTAL_MAIL_DIR=f"{tmp}/mail", PORTAL_MAIL_CONSOLE="false", PORTAL_CAPTCHA="off",
           PORTAL_TRUSTED_PROXIES="127.0.0.1/32", RUST_LOG="warn")
proc = subprocess.Popen([os.environ.get("PORTAL_BIN", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "target", "release", "portal"))], cwd=tmp, env=env,
                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
try:
    for _ in range(100):
        try:
            st, _, _ = P.request(port, "GET", "/readyz")
            if st == 200: break
        except Exception: pass
        time.sleep(0.1)
    st, _, cfg = P.request(port, "GET", "/v1/config")
    consents = [{"kind": d["kind"], "version": d["version"]} for d in cfg["legal_documents"] if d["kind"] in ("terms", "privacy")]
    known = [P.make_account(port, f"{tmp}/mail", consents, f"known{i}@example.co.id")["email"] for i in range(10)]
    times = {"known": [], "unknown": []}
    n = 0
    for rnd in range(3):
        for i in range(10):
            for kind, addr in (("known", known[i]), ("unknown", f"nobody{rnd}-{i}@example.co.id")):
                n += 1
                c = http.client.HTTPConnection("127.0.0.1", port)
                body = json.dumps({"email": addr})
                t = time.perf_counter()
                c.request("POST", "/v1/password-resets", body, {"content-type": "application/json", "x-forwarded-for": f"198.51.100.{n % 250}"})
                r = c.getresponse(); r.read()
                times[kind].append((time.perf_counter() - t) * 1000)
                assert r.status == 202, r.status
    for k, v in times.items():
        v.sort()
        print(k, "n=%d median=%.2f ms p90=%.2f ms" % (len(v), statistics.median(v), v[int(len(v)*0.9)]))
finally:
    proc.terminate()
    proc.wait()
    shutil.rmtree(tmp, ignore_errors=True)
