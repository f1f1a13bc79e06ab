"""The REST-only twin of issue 18 (bench/rest_only) does what the benchmark says it does: a valid
course request is generated and committed as one row (201 with the course), a wrong token is 401,
an invalid body is 422 or 400, and neither writes anything.

Usage: rest_only_test.py PATH/TO/rest_only
"""
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request

BODY = {"title": "Benchmarking basics", "language": "en", "audiences": ["engineers"],
        "lesson_count": 1, "user_id": "bench", "dry_run": True}


def post(port, body, token="tok"):
    req = urllib.request.Request("http://127.0.0.1:%d/v1/courses" % port, data=body, method="POST",
                                 headers={"Content-Type": "application/json",
                                          "Authorization": "Bearer " + token})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def rows(db):
    with sqlite3.connect(db) as c:
        return c.execute("SELECT course_id, title, status, content FROM courses").fetchall()


def main():
    binary = os.path.abspath(sys.argv[1])
    work = tempfile.mkdtemp(prefix="cf-rest-only-")
    db = os.path.join(work, "twin.db")
    proc = subprocess.Popen([binary, "--port", "0", "--db", db, "--token", "tok"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        line = proc.stdout.readline()  # "listening on http://127.0.0.1:PORT", or why not
        assert line.startswith("listening on"), line
        port = int(line.rsplit(":", 1)[1])
        status, course = post(port, json.dumps(BODY).encode())
        assert status == 201, (status, course)
        stored = rows(db)
        assert len(stored) == 1 and stored[0][0] == course["course_id"], stored
        assert stored[0][1] == "Benchmarking basics" and stored[0][2] == "generated", stored
        assert len(json.loads(stored[0][3])["modules"]) >= 1, "the generator's content is stored"
        for body, token, want in ((json.dumps(BODY).encode(), "wrong", 401),
                                  (b'{"title": "x"}', "tok", 422),
                                  (b'{"title": ', "tok", 400)):
            status, problem = post(port, body, token)
            assert status == want and problem["status"] == want, (want, status, problem)
        assert len(rows(db)) == 1, "a refused request wrote nothing"
        print("rest_only: 201 with one committed row; 401, 422 and 400 wrote nothing")
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
