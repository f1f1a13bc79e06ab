#!/usr/bin/env python3
"""The HTTP front's limits against the real binary (issue 13, "Limits that hold"): a body limit
for every way a body can arrive (Content-Length, chunked, no length, compressed), header caps,
and memory that stays bounded under bomb bodies (peak RSS, VmHWM, before and after).

usage: limits_test.py BINARY
"""
import json
import os
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import zlib

import brotli  # Debian's python3-brotli

PATIENCE_S = 30  # how long to wait for what must happen: only a hang takes that long
MAX_GROWTH_KB = 64 * 1024  # peak RSS may grow this much under a bomb body (it was 1.7 GB)
COURSE = json.dumps({"title": "Limits", "language": "en", "audiences": ["Ops"],
                     "lesson_count": 1, "user_id": "limits"}).encode()


def fail(msg):
    raise SystemExit("limits: FAIL: " + msg)


class Service:
    def __init__(self, binary, work):
        out = open(os.path.join(work, "out"), "wb")
        self.work = work
        self.proc = subprocess.Popen(
            [binary, "serve", "--port", "0", "--db", work + "/events.db", "--site-dir",
             work + "/site", "--stripe-webhook-secret-file", work + "/secret"],
            stdout=out, stderr=subprocess.STDOUT, preexec_fn=lambda: os.umask(0o022))
        deadline = time.monotonic() + PATIENCE_S
        while time.monotonic() < deadline:
            m = re.search(r"listening on http://127\.0\.0\.1:(\d+)", self.output())
            if m:
                self.port = int(m.group(1))
                return
            if self.proc.poll() is not None:
                fail("the service exited early:\n" + self.output())
            time.sleep(0.05)
        fail("the service did not report its port")

    def output(self):
        with open(os.path.join(self.work, "out"), errors="replace") as f:
            return f.read()

    def peak_rss_kb(self):
        with open("/proc/%d/status" % self.proc.pid) as f:
            return int(re.search(r"VmHWM:\s+(\d+) kB", f.read()).group(1))

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        if self.proc.wait(timeout=PATIENCE_S) != 0:
            fail("exit code %d after SIGTERM" % self.proc.returncode)


def connect(port):
    s = socket.create_connection(("127.0.0.1", port), timeout=PATIENCE_S)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def read_response(s):
    """Status, headers (lower-case names) and body of one response; the body by Content-Length."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = s.recv(65536)
        if not chunk:
            fail("the connection closed before a whole response head: %r" % data)
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0"))
    while len(body) < length:
        chunk = s.recv(65536)
        if not chunk:
            break
        body += chunk
    return status, headers, body[:length]


def closed_by_server(s):
    """True when the server closes the connection (EOF or reset) within the patience."""
    s.settimeout(PATIENCE_S)
    try:
        while True:
            if not s.recv(65536):
                return True
    except (ConnectionResetError, BrokenPipeError):
        return True
    except socket.timeout:
        return False


def send_until_answered(s, head, pieces):
    """Sends `head`, then the pieces of a body until the server answers (or stops taking them).
    Returns the number of body bytes sent."""
    s.sendall(head)
    sent = 0
    for piece in pieces:
        if select.select([s], [], [], 0)[0]:
            break
        try:
            s.sendall(piece)
        except (BrokenPipeError, ConnectionResetError):
            break
        sent += len(piece)
    return sent


TOKEN = ""  # the admin token the service wrote at its first start (set by main)


def auth_line():
    return "Authorization: Bearer %s\r\n" % TOKEN if TOKEN else ""


def request(port, method, path, body=b"", headers=()):
    s = connect(port)
    head = "%s %s HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n%s" % (
        method, path, len(body), auth_line())
    head += "".join("%s: %s\r\n" % h for h in headers) + "\r\n"
    s.sendall(head.encode() + body)
    res = read_response(s)
    s.close()
    return res


def courses_started(port):
    """How many courses were started: what a refused POST must not change. (The log's head
    moves on while the accepted courses are generated and published.)"""
    status, _, body = request(port, "GET", "/v1/events?type=course.generation.started&limit=1000")
    if status != 200:
        fail("GET /v1/events answered %d" % status)
    return len(json.loads(body)["events"])


def expect_problem(what, res, status, code):
    got, headers, body = res
    if got != status:
        fail("%s: answered %d, not %d: %r" % (what, got, status, body[:300]))
    if headers.get("content-type") != "application/problem+json":
        fail("%s: content type %r" % (what, headers.get("content-type")))
    if json.loads(body).get("type") != "urn:coursefactory:problem:" + code:
        fail("%s: problem %r, not %s" % (what, body[:300], code))


def check_bomb(svc, what, head, pieces, status, code, figures):
    """Sends a bomb body; it must be refused with `status`, the connection closed, nothing
    written, and peak RSS bounded."""
    courses, before = courses_started(svc.port), svc.peak_rss_kb()
    s = connect(svc.port)
    started = time.monotonic()
    sent = send_until_answered(s, head, pieces)
    expect_problem(what, read_response(s), status, code)
    if not closed_by_server(s):
        fail("%s: the connection stayed open after the refusal" % what)
    s.close()
    after = svc.peak_rss_kb()
    figures.append("%s: %d, %.1f MB sent, %.2f s, VmHWM %d -> %d kB" %
                   (what, status, (sent + len(head)) / 1e6, time.monotonic() - started, before,
                    after))
    if after - before > MAX_GROWTH_KB:
        fail("%s: peak RSS grew from %d to %d kB" % (what, before, after))
    if courses_started(svc.port) != courses:
        fail("%s: a course was started (%d courses before, %d after)"
             % (what, courses, courses_started(svc.port)))


def post_head(extra):
    return ("POST /v1/courses HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n%s%s\r\n"
            % (auth_line(), extra)).encode()


def chunked(total, size=65536):
    block = b"%x\r\n%s\r\n" % (size, b"x" * size)
    for _ in range(total // size):
        yield block
    yield b"0\r\n\r\n"


def compressed(make, total):
    """A bomb: `total` bytes of spaces compressed by `make` (a compressor object)."""
    block, out = b" " * (1 << 20), b""
    for _ in range(total >> 20):
        out += make.process(block) if hasattr(make, "process") else make.compress(block)
    return out + (make.finish() if hasattr(make, "finish") else make.flush())


def check_file_modes(binary, work):
    """Files the service creates are its own (0600), whatever the umask it was started with."""
    backup = work + "/backup.db"
    subprocess.run([binary, "backup", "--db", work + "/events.db", backup], check=True,
                   stdout=subprocess.DEVNULL, timeout=PATIENCE_S,
                   preexec_fn=lambda: os.umask(0o022))
    for name in ("events.db", "events.db-wal", "events.db-shm", "secret", "admin-token",
                 "backup.db"):
        path = os.path.join(work, name)
        if not os.path.exists(path):
            fail("%s was not created" % name)
        mode = os.stat(path).st_mode & 0o777
        if mode != 0o600:
            fail("%s has mode %o, not 600" % (name, mode))


def main():
    binary = os.path.abspath(sys.argv[1])
    work = tempfile.mkdtemp(prefix="cf-limits-")
    svc = None
    figures = []
    try:
        svc = Service(binary, work)
        port = svc.port
        global TOKEN
        with open(work + "/admin-token") as f:
            TOKEN = f.read().strip()
        # Every way a body can arrive that is within the limit is taken.
        status, _, body = request(port, "POST", "/v1/courses", COURSE,
                                  [("Content-Type", "application/json")])
        if status != 202:
            fail("a plain POST answered %d: %r" % (status, body))
        s = connect(port)
        s.sendall(post_head("Transfer-Encoding: chunked\r\n") + b"%x\r\n%s\r\n0\r\n\r\n"
                  % (len(COURSE), COURSE))
        status, _, body = read_response(s)
        s.close()
        if status != 202:
            fail("a small chunked POST answered %d: %r" % (status, body))
        status, _, _ = request(port, "POST", "/v1/courses", COURSE,
                               [("Content-Type", "application/json"),
                                ("Content-Encoding", "identity")])
        if status != 202:
            fail("Content-Encoding: identity answered %d" % status)

        # Bombs: refused, nothing written, memory bounded.
        check_bomb(svc, "chunked 100 MB", post_head("Transfer-Encoding: chunked\r\n"),
                   chunked(100 << 20), 413, "payload_too_large", figures)
        check_bomb(svc, "Content-Length 100 MB", post_head("Content-Length: %d\r\n" % (100 << 20)),
                   (b"x" * 65536 for _ in range(1600)), 413, "payload_too_large", figures)
        br = compressed(brotli.Compressor(quality=5), 1 << 30)
        # The compressed bodies are sent whole with the head: refused unread all the same.
        check_bomb(svc, "brotli %d bytes (1 GB decoded)" % len(br),
                   post_head("Content-Encoding: br\r\nContent-Length: %d\r\n" % len(br)) + br, [],
                   415, "unsupported_content_encoding", figures)
        gz = compressed(zlib.compressobj(9, zlib.DEFLATED, 31), 50 << 20)
        check_bomb(svc, "gzip %d bytes (50 MB decoded)" % len(gz),
                   post_head("Content-Encoding: gzip\r\nContent-Length: %d\r\n" % len(gz)) + gz, [],
                   415, "unsupported_content_encoding", figures)
        check_bomb(svc, "gzip, chunked", post_head("Content-Encoding: gzip\r\n"
                                                   "Transfer-Encoding: chunked\r\n")
                   + b"%x\r\n%s\r\n0\r\n\r\n" % (len(gz), gz), [], 415,
                   "unsupported_content_encoding", figures)
        # Asked first (Expect: 100-continue): refused before the body is sent, no 100 first.
        check_bomb(svc, "100 MB announced with Expect: 100-continue",
                   post_head("Content-Length: %d\r\nExpect: 100-continue\r\n" % (100 << 20)),
                   [], 413, "payload_too_large", figures)
        check_bomb(svc, "chunked 100 MB to an unknown path",
                   b"POST /nowhere HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n",
                   chunked(100 << 20), 413, "payload_too_large", figures)
        check_bomb(svc, "chunked PUT", b"PUT /v1/courses HTTP/1.1\r\nHost: x\r\n"
                   b"Transfer-Encoding: chunked\r\n\r\n", chunked(100 << 20), 411,
                   "length_required", figures)

        # No length: the body is empty (RFC 9112), the rest is not read as requests.
        started = courses_started(port)
        s = connect(port)
        sent = send_until_answered(s, post_head("") + COURSE * 100,
                                   (COURSE * 100 for _ in range(1000)))
        expect_problem("a POST without length", read_response(s), 400, "malformed_json")
        if not closed_by_server(s):
            fail("a POST without length: the connection stayed open")
        s.close()
        figures.append("no length: 400 after %.1f MB sent" % ((sent + len(COURSE) * 100) / 1e6))
        if courses_started(port) != started:
            fail("a POST without length started a course")

        # Header caps: 431.
        many = [("X-H%d" % i, "v") for i in range(101)]
        expect_problem("101 header fields", request(port, "GET", "/v1/health", b"", many), 431,
                       "header_fields_too_large")
        big = [("X-H%d" % i, "v" * 1000) for i in range(17)]
        expect_problem("17 KB of header fields", request(port, "GET", "/v1/health", b"", big),
                       431, "header_fields_too_large")
        few = [("X-H%d" % i, "v") for i in range(90)]
        status, _, _ = request(port, "GET", "/v1/health", b"", few)
        if status != 200:
            fail("90 small header fields answered %d" % status)
        # Conflicting or unknown framing.
        both = request(port, "POST", "/v1/courses", b"", [("Transfer-Encoding", "chunked")])
        expect_problem("Content-Length and chunked", both, 400, "conflicting_framing")
        s = connect(port)
        s.sendall(post_head("Transfer-Encoding: gzip, chunked\r\n"))
        expect_problem("Transfer-Encoding gzip", read_response(s), 501,
                       "unsupported_transfer_encoding")
        s.close()
        # A header that never ends (a 100 MB request line, then 100,000 header fields): the
        # service reads at most 64 KiB of a header (http/guarded_server.hpp), so memory stays
        # bounded whatever the client sends.
        for what, head, piece in (
                ("100 MB request line", b"GET /v1/health?", b"a" * 65536),
                ("100,000 header fields", b"GET /v1/health HTTP/1.1\r\n",
                 b"".join(b"X-F%d: %s\r\n" % (i, b"v" * 1000) for i in range(64)))):
            before = svc.peak_rss_kb()
            s = connect(port)
            sent = send_until_answered(s, head, (piece for _ in range((100 << 20) // len(piece))))
            s.settimeout(PATIENCE_S)
            try:
                status = read_response(s)[0]
            except OSError:
                status = -1  # closed without an answer: also bounded
            s.close()
            after = svc.peak_rss_kb()
            figures.append("%s: %d after %.1f MB sent, VmHWM %d -> %d kB"
                           % (what, status, sent / 1e6, before, after))
            if status not in (-1, 400, 414, 431):
                fail("%s: answered %d" % (what, status))
            if after - before > MAX_GROWTH_KB:
                fail("%s: peak RSS grew from %d to %d kB" % (what, before, after))
        if svc.proc.poll() is not None:
            fail("the service died")
        check_file_modes(binary, work)
        svc.stop()
        svc = None
        print("limits: OK")
        for f in figures:
            print("  " + f)
    except BaseException:
        if svc is not None:
            print(svc.output()[-4000:])
        raise
    finally:
        if svc is not None and svc.proc.poll() is None:
            svc.proc.kill()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
