#!/usr/bin/env python3
"""The Debian package (issue 16): `cpack -G DEB` in the build folder, then the package checked
as an operator would meet it, without root and without touching the machine:

1. control: name, version, dependencies found by dpkg-shlibdeps (libc6, libsystemd0, ...),
   the conffile, the maintainer scripts; the file list and modes.
2. unpacked with `dpkg -x` into a scratch root: the installed binary runs; the configuration
   has every key of `coursefactory config` with the state paths under /var/lib/coursefactory;
   the man page and the changelog are there and name what the binary does (the serve options,
   the database and event schema versions it writes); bash completion completes commands and
   options from the installed binary.
3. the unit: `systemd-analyze verify --root` (the scratch root holds the binary and a copy of
   this machine's units; MANPATH finds the packaged man page) with no warning at all, and
   `systemd-analyze security --offline` at an exposure of 2.0 or less.
4. sd_notify: the installed binary with the installed configuration (state paths moved to the
   scratch folder by flags) and NOTIFY_SOCKET set sends READY=1 once its port answers, and
   STOPPING=1 on SIGTERM before it exits 0.

Usage: package_test.py BUILD_DIR SOURCE_DIR. Exit 77 (skipped) only when systemd-analyze is
missing, with the reason. About 20-40 s (cpack strips and compresses the binary).
"""
import configparser
import gzip
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request

DEADLINE_S = 60
STATE = "/var/lib/coursefactory"


class TestFailure(Exception):
    pass


def run(*args, **kw):
    r = subprocess.run(list(args), capture_output=True, text=True, timeout=kw.pop("timeout", 120),
                       **kw)
    if r.returncode != 0:
        raise TestFailure("%s exited %d:\n%s%s" % (" ".join(args), r.returncode, r.stdout,
                                                    r.stderr))
    return r.stdout


def expect(cond, what):
    if not cond:
        raise TestFailure(what)


def build_package(build, work):
    started = time.monotonic()
    run("cpack", "-G", "DEB", "-B", work + "/pkg", "--config", build + "/CPackConfig.cmake",
        cwd=build, timeout=240)
    debs = [f for f in os.listdir(work + "/pkg") if f.endswith(".deb")]
    expect(len(debs) == 1, "cpack made %s, not one .deb" % debs)
    print("package: %s in %.1f s" % (debs[0], time.monotonic() - started))
    return work + "/pkg/" + debs[0]


def check_control(deb):
    field = lambda name: run("dpkg-deb", "-f", deb, name).strip()
    expect(field("Package") == "coursefactory", "Package: " + field("Package"))
    arch = run("dpkg", "--print-architecture").strip()
    expect(field("Architecture") == arch, "Architecture: %s, not %s" % (field("Architecture"), arch))
    depends = field("Depends")
    for lib in ("libc6", "libsystemd0", "libssl3", "libsqlite3-0", "libhiredis0.14",
                "libjemalloc2", "adduser"):
        expect(re.search(r"\b%s\b" % re.escape(lib), depends),
               "Depends lacks %s (dpkg-shlibdeps): %s" % (lib, depends))
    expect("caf" in depends, "Depends lacks CAF's library: " + depends)
    conffiles = run("dpkg-deb", "-I", deb, "conffiles").split()
    expect(conffiles == ["/etc/coursefactory/coursefactory.ini"], "conffiles: %s" % conffiles)
    for script in ("postinst", "prerm", "postrm"):
        text = run("dpkg-deb", "-I", deb, script)
        run("sh", "-n", "-c", text)  # parses as a shell script
    expect("adduser --system" in run("dpkg-deb", "-I", deb, "postinst"), "postinst adds no user")
    listing = run("dpkg-deb", "-c", deb)
    modes = {line.split()[-1].lstrip("."): line.split()[0] for line in listing.splitlines()}
    for path, mode in (("/usr/bin/coursefactory", "-rwxr-xr-x"),
                       ("/etc/coursefactory/coursefactory.ini", "-rw-r--r--"),
                       ("/lib/systemd/system/coursefactory.service", "-rw-r--r--"),
                       ("/usr/share/man/man1/coursefactory.1.gz", "-rw-r--r--"),
                       ("/usr/share/bash-completion/completions/coursefactory", "-rw-r--r--"),
                       ("/usr/share/doc/coursefactory/changelog.gz", "-rw-r--r--"),
                       ("/usr/share/doc/coursefactory/monitoring/alerts.yml", "-rw-r--r--")):
        expect(modes.get(path) == mode, "%s: %s, not %s" % (path, modes.get(path), mode))
    owners = {line.split()[1] for line in listing.splitlines()}
    expect(owners == {"root/root"}, "files not owned by root: %s" % owners)
    print("control: Depends: " + depends)


def check_installed_files(root):
    binary = root + "/usr/bin/coursefactory"
    expect(run(binary, "--help").startswith("usage: coursefactory"), "--help of the installed binary")
    version = run(binary, "--version").strip()
    expect(re.fullmatch(r"coursefactory \d+\.\d+\.\d+ \(commit ([0-9a-f]{12}(-dirty)?|unknown), "
                        r"schema \d+\)", version), "--version of the installed binary: " + version)
    # The configuration: every key of the binary's, state paths absolute under STATE.
    ini = configparser.ConfigParser(interpolation=None)
    ini.read(root + "/etc/coursefactory/coursefactory.ini")
    defaults = configparser.ConfigParser(interpolation=None)
    defaults.read_string(run(binary, "config"))
    keys = lambda c: {(s, k) for s in c.sections() for k in c[s]}
    expect(keys(ini) == keys(defaults), "the packaged config's keys differ from `config`")
    moved = {(s, k): ini[s][k] for s, k in keys(ini) if ini[s][k] != defaults[s][k]}
    expect(moved and all(v == STATE or v.startswith(STATE + "/") for v in moved.values()),
           "the packaged config changes %s" % moved)
    expect(all(not v.startswith("./") for s, k in keys(ini) for v in [ini[s][k]]),
           "a relative path is left in the packaged config")
    # Every file lives in state.dir (relative names resolve against it).
    expect(moved.get(("state", "dir")) == STATE, "state.dir is not %s" % STATE)
    # The man page: help2man's, with every serve option.
    with gzip.open(root + "/usr/share/man/man1/coursefactory.1.gz", "rt") as f:
        man = f.read()
    expect(man.startswith(".\\\" DO NOT MODIFY") and ".TH COURSEFACTORY" in man, "not a man page")
    for flag in re.findall(r"^  (--[a-z0-9-]+)", run(binary, "serve", "--help"), re.M):
        expect("\\fB" + flag.replace("-", "\\-") + "\\fR" in man, "the man page lacks " + flag)
    # Bash completion, driven as bash does it.
    completion = root + "/usr/share/bash-completion/completions/coursefactory"

    def complete(*words):
        script = ("source /usr/share/bash-completion/bash_completion; source %s; "
                  "COMP_WORDS=(%s); COMP_CWORD=%d; COMP_LINE=\"${COMP_WORDS[*]}\"; "
                  "COMP_POINT=${#COMP_LINE}; _coursefactory; echo \"${COMPREPLY[*]}\""
                  % (completion, " ".join([binary, *words]), len(words)))
        return run("bash", "-c", script).split()

    expect(complete("se") == ["serve"], "completion of 'se': %s" % complete("se"))
    expect(set(complete("serve", "--http-th")) == {"--http-threads"},
           "completion of 'serve --http-th': %s" % complete("serve", "--http-th"))
    expect(set(complete("token", "")) == {"create", "list", "revoke", "--help"},
           "completion of 'token ': %s" % complete("token", ""))
    print("installed files: binary, config (%d keys, %d paths under %s), man page, completion"
          % (len(keys(ini)), len(moved), STATE))


def check_changelog(root, work):
    """The changelog's top entry names the schema versions the installed binary writes: the
    database's (of the log check_sd_notify's service made) and each event type's."""
    with gzip.open(root + "/usr/share/doc/coursefactory/changelog.gz", "rt") as f:
        top = f.read().split("\n## ")[1]
    db = sqlite3.connect(work + "/state/coursefactory.db")
    user_version = db.execute("PRAGMA user_version").fetchone()[0]
    db.close()
    expect("Database schema: %d " % user_version in top,
           "the changelog's top entry does not name database schema %d" % user_version)
    events = re.findall(r"^\| `([a-z.]+)` \| (\d+) \|",
                        run(root + "/usr/bin/coursefactory", "catalogue"), re.M)
    logged = re.findall(r"^\| `([a-z.]+)` \| (\d+)", top, re.M)
    expect(events and sorted(events) == sorted(logged),
           "the changelog's event schema versions %s differ from the catalogue's %s"
           % (logged, events))
    print("changelog: database schema %d, %d event types, as the binary writes them"
          % (user_version, len(events)))


def check_unit(root):
    if not shutil.which("systemd-analyze"):
        print("SKIPPED: systemd-analyze is missing (Debian's systemd package); the unit is not "
              "verified")
        return False
    unit = root + "/lib/systemd/system/coursefactory.service"
    # The targets the unit names (and their dependencies) come from this machine's systemd.
    shutil.copytree("/lib/systemd/system", root + "/lib/systemd/system", symlinks=True,
                    dirs_exist_ok=True,
                    ignore=lambda d, names: [n for n in names if n.startswith("coursefactory")])
    env = dict(os.environ, MANPATH=root + "/usr/share/man")
    r = subprocess.run(["systemd-analyze", "verify", "--root=" + root, unit], env=env,
                       capture_output=True, text=True, timeout=60)
    expect(r.returncode == 0 and not r.stdout.strip() and not r.stderr.strip(),
           "systemd-analyze verify (exit %d):\n%s%s" % (r.returncode, r.stdout, r.stderr))
    r = subprocess.run(["systemd-analyze", "security", "--offline=yes", "--threshold=20",
                        "--root=" + root, unit], capture_output=True, text=True, timeout=60)
    level = re.search(r"Overall exposure level for coursefactory.service: ([0-9.]+)", r.stdout)
    expect(r.returncode == 0 and level, "systemd-analyze security: exposure over 2.0:\n"
           + r.stdout[-3000:] + r.stderr)
    with open(unit) as f:
        text = f.read()
    for line in ("Type=notify", "ExecStart=/usr/bin/coursefactory serve --config "
                 "/etc/coursefactory/coursefactory.ini", "StateDirectory=coursefactory",
                 "User=coursefactory", "ProtectSystem=strict", "NoNewPrivileges=yes",
                 "PrivateTmp=yes"):
        expect(re.search("^%s$" % re.escape(line), text, re.M), "the unit lacks " + line)
    print("unit: systemd-analyze verify clean; security exposure %s" % level.group(1))
    return True


def check_sd_notify(root, work):
    """The installed binary under the installed config, as systemd would start it."""
    sock_path = work + "/notify"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(sock_path)
    sock.settimeout(DEADLINE_S)
    env = dict(os.environ, NOTIFY_SOCKET=sock_path)
    state = work + "/state"
    out = open(work + "/out.serve", "wb")
    proc = subprocess.Popen(
        [root + "/usr/bin/coursefactory", "serve", "--config",
         root + "/etc/coursefactory/coursefactory.ini", "--port", "0",
         "--db", state + "/coursefactory.db", "--site-dir", state + "/site",
         "--stripe-webhook-secret-file", state + "/stripe-webhook-secret"],
        env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        ready = sock.recv(4096).decode()
        expect("READY=1" in ready.split("\n"), "first notification: %r" % ready)
        # READY=1 comes after the port is bound: the service answers now, without waiting.
        with open(work + "/out.serve") as f:
            port = re.search(r"listening on http://127\.0\.0\.1:(\d+)", f.read())
        expect(port, "READY=1 came before the 'listening' line")
        with urllib.request.urlopen("http://127.0.0.1:%s/v1/health" % port.group(1),
                                    timeout=10) as r:
            expect(r.status == 200, "health: %d" % r.status)
        proc.send_signal(signal.SIGTERM)
        stopping = sock.recv(4096).decode()
        expect("STOPPING=1" in stopping.split("\n"), "after SIGTERM: %r" % stopping)
        expect(proc.wait(timeout=DEADLINE_S) == 0, "exit %s after SIGTERM" % proc.returncode)
        print("sd_notify: READY=1 with the port answering, STOPPING=1 on SIGTERM, exit 0")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        sock.close()


def main():
    build, src = sys.argv[1], sys.argv[2]
    work = tempfile.mkdtemp(prefix="coursefactory-package-")
    try:
        deb = build_package(build, work)
        check_control(deb)
        root = work + "/root"
        run("dpkg", "-x", deb, root)
        check_installed_files(root)
        check_sd_notify(root, work)
        check_changelog(root, work)
        if not check_unit(root):
            return 77
        print("1 passed, 0 failed")
        return 0
    except (TestFailure, subprocess.SubprocessError, OSError) as e:
        print("FAILED: %s" % e)
        if os.path.exists(work + "/out.serve"):
            print("--- the service's output\n" + open(work + "/out.serve", errors="replace").read())
        print("0 passed, 1 failed")
        return 1
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
