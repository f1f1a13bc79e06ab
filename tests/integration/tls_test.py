#!/usr/bin/env python3
"""TLS against the real binary (issue 13): `serve --tls-cert FILE --tls-key FILE` with a
self-signed certificate made by `openssl req` in a scratch folder.

- GET /v1/health over HTTPS, the certificate verified (for IP 127.0.0.1), two requests on one
  keep-alive connection: 200 both;
- plain HTTP on the TLS port gets no HTTP answer;
- a client that connects and never starts its handshake is closed by the header deadline, and
  neither it nor one mid-handshake keeps SIGTERM from ending the service (exit 0 within 5 s);
- a key that does not belong to the certificate: the service refuses to start (exit 1); a
  certificate without a key: exit 2.

usage: tls_test.py BINARY
"""
import http.client
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time

from netutil import free_port

PATIENCE_S = 20
STOP_S = 5.0


def fail(msg):
    raise SystemExit("tls: FAIL: " + msg)


def make_cert(work, name):
    cert, key = os.path.join(work, name + ".crt"), os.path.join(work, name + ".key")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                    "-out", cert, "-days", "1", "-subj", "/CN=127.0.0.1", "-addext",
                    "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)
    return cert, key


def serve(binary, work, port, cert, key, *flags):
    out = open(os.path.join(work, "out-%d" % port), "ab")
    return subprocess.Popen(
        [binary, "serve", "--port", str(port), "--db", work + "/events-%d.db" % port,
         "--site-dir", work + "/site", "--stripe-webhook-secret-file", work + "/secret",
         "--tls-cert", cert, "--tls-key", key, *flags], stdout=out, stderr=subprocess.STDOUT)


def https(port, cafile):
    ctx = ssl.create_default_context(cafile=cafile)
    return http.client.HTTPSConnection("127.0.0.1", port, timeout=5, context=ctx)


def wait_up(proc, port, cafile):
    deadline = time.monotonic() + PATIENCE_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            fail("the service exited with %d at start" % proc.returncode)
        try:
            conn = https(port, cafile)
            conn.request("GET", "/v1/health")
            conn.getresponse().read()
            conn.close()
            return
        except OSError:
            time.sleep(0.05)
    proc.kill()
    fail("the service did not come up over TLS on port %d" % port)


def main():
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    binary = sys.argv[1]
    work = tempfile.mkdtemp(prefix="cf_tls_")
    proc = None
    try:
        cert, key = make_cert(work, "a")
        port = free_port()
        proc = serve(binary, work, port, cert, key, "--http-header-timeout-ms", "1000")
        wait_up(proc, port, cert)

        conn = https(port, cert)
        for _ in range(2):
            conn.request("GET", "/v1/health")
            res = conn.getresponse()
            body = res.read()
            if res.status != 200 or b"ok" not in body.lower():
                fail("GET /v1/health over TLS: %d %r" % (res.status, body))
        conn.close()

        plain = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        try:
            plain.request("GET", "/v1/health")
            res = plain.getresponse()
            fail("plain HTTP on the TLS port was answered %d" % res.status)
        except (http.client.HTTPException, OSError):
            pass  # no HTTP answer: closed, reset or garbage
        finally:
            plain.close()

        # No handshake at all: closed at the 1 s header deadline.
        silent = socket.create_connection(("127.0.0.1", port), timeout=5)
        t0 = time.monotonic()
        try:
            got = silent.recv(100)
        except OSError:
            got = b""
        waited = time.monotonic() - t0
        silent.close()
        if got or waited >= 4.5:
            fail("a client without handshake was not closed at the deadline (%r after %.2f s)"
                 % (got, waited))

        # Open while SIGTERM comes: one silent, one that sent half a ClientHello.
        held = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(2)]
        held[1].send(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03")
        t0 = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        rc = proc.wait(timeout=STOP_S + 10)
        stop_s = time.monotonic() - t0
        for s in held:
            s.close()
        if rc != 0 or stop_s >= STOP_S:
            fail("exit status %d after %.2f s on SIGTERM" % (rc, stop_s))

        # A key of another certificate: refused at start.
        _, other_key = make_cert(work, "b")
        bad = serve(binary, work, free_port(), cert, other_key)
        rc = bad.wait(timeout=PATIENCE_S)
        if rc != 1:
            fail("a key that does not match the certificate: exit %d, expected 1" % rc)
        # A certificate without its key: refused as a bad command line.
        half = subprocess.run([binary, "serve", "--tls-cert", cert], capture_output=True,
                              timeout=PATIENCE_S)
        if half.returncode != 2 or b"tls_key" not in half.stderr:
            fail("--tls-cert without --tls-key: exit %d, %r" % (half.returncode, half.stderr))
        print("tls: OK (SIGTERM to exit %.2f s)" % stop_s)
    finally:
        if proc is not None and proc.poll() is None:
            proc.kill()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
