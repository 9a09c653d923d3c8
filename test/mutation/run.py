#!/usr/bin/env python3
"""Mutation harness: applies one mutant at a time (test/mutation/mutants.txt)
to a PRIVATE copy of the work tree, builds it, installs it into a PRIVATE
copy of the PostgreSQL server tree and runs the fast suites against a
throwaway cluster of that server: the unit tests (ctest, for mutants of
src/core only: src/pg is not linked into them), pg_regress (sql/), the
isolation specs and the test-only extension's regress test (test/testkit/sql).
A mutant is killed when any suite fails, times out or the server log shows a
crash; it survives when all pass. Prints one line per mutant and the score.

Never writes into the work tree or into the server's shared directories:
everything lives under a temporary directory (removed at the end unless
--keep). The server tree (pg_config --bindir/--sharedir/--pkglibdir, all
under /usr) is copied there with its layout, and PostgreSQL finds its share
and lib directories relative to its binary, so `make install DESTDIR=<w>/pg`
installs into that copy only.

Usage: test/mutation/run.py [--jobs N] [--only ID[,ID...]] [--file PATH]
                            [--list] [--check] [--keep]
  --check   only checks the list (every original text found exactly once)
  --list    prints the mutants
Exit status: 0 when every mutant was killed or is marked equivalent, 1 when
an unexplained mutant survived, 2 when the list is stale or broken, a mutant
does not build, or the unmutated tree fails its own suites.
"""
import argparse
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.realpath(os.path.join(os.path.dirname(__file__), "..", ".."))
DEFAULT_LIST = os.path.join(ROOT, "test", "mutation", "mutants.txt")
PORT_BASE = int(os.environ.get("FKG_MUTATION_PORT", "55610"))
CLUSTER_USER = os.environ.get("FKG_CLUSTER_USER", "postgres")
SUITE_TIMEOUT = int(os.environ.get("FKG_MUTATION_TIMEOUT", "240"))
# The module is built at -O1 without debug information: each mutant recompiles
# one file, and -O2 -g doubles that time. (PGXS appends PG_CXXFLAGS: -fPIC,
# -std=c++17 and the warnings; -fwrapv and -fno-strict-aliasing are
# PostgreSQL's own requirements.)
FAST_FLAGS = "CXXFLAGS=" + os.environ.get("FKG_MUTATION_CXXFLAGS", "-O1 -g0 -fno-strict-aliasing -fwrapv")


class Mutant:
    def __init__(self, mid, path, edits, desc, equivalent, line):
        self.id, self.path, self.edits = mid, path, edits  # [(original, replacement)], applied in order
        self.desc, self.equivalent, self.line = desc, equivalent, line


def unescape(s):
    # \n is a line break, \\ a backslash: originals may span lines.
    return re.sub(r"\\(.)", lambda m: "\n" if m.group(1) == "n" else m.group(1), s)


def parse_list(path):
    """Blocks separated by blank lines; '#' lines are comments:
         id: <unique id>
         file: src/...
         desc: <one line>
         - <original text, exactly once in the file>
         + <replacement>
         (more - / + pairs: one mutant of several edits, e.g. a step moved)
         equivalent: <why no test can tell>   (optional)
    """
    mutants, errors, cur = [], [], {}

    def flush():
        if not cur:
            return
        missing = [k for k in ("id", "file", "desc") if k not in cur]
        if not cur["edits"] or any(new is None for _, new in cur["edits"]):
            missing.append("a - / + pair")
        if missing:
            errors.append("%s:%d: mutant lacks %s" % (path, cur["line"], ", ".join(missing)))
        else:
            mutants.append(Mutant(cur["id"], cur["file"], [(unescape(o), unescape(n)) for o, n in cur["edits"]],
                                  cur["desc"], cur.get("equivalent"), cur["line"]))
        cur.clear()

    with open(path, encoding="utf-8") as f:
        for n, raw in enumerate(f, 1):
            line = raw.rstrip("\n")
            if line.startswith("#"):
                continue
            if not line.strip():
                flush()
                continue
            if not cur:
                cur.update(line=n, edits=[])
            m = re.match(r"^(id|file|desc|equivalent): ?(.*)$", line)
            if m:
                cur[m.group(1)] = m.group(2)
            elif line.startswith("- ") or line == "-":
                cur["edits"].append([line[2:], None])
            elif (line.startswith("+ ") or line == "+") and cur["edits"] and cur["edits"][-1][1] is None:
                cur["edits"][-1][1] = line[2:]
            else:
                errors.append("%s:%d: cannot read %r" % (path, n, line))
    flush()
    seen = set()
    for m in mutants:
        if m.id in seen:
            errors.append("%s:%d: duplicate id %s" % (path, m.line, m.id))
        seen.add(m.id)
    return mutants, errors


def check_list(mutants, tree):
    """Every original text must occur exactly once in its file, and differ from its replacement."""
    errors = []
    for m in mutants:
        p = os.path.join(tree, m.path)
        if not os.path.isfile(p):
            errors.append("%s: no file %s" % (m.id, m.path))
            continue
        text = open(p, encoding="utf-8").read()
        for old, new in m.edits:
            n = text.count(old)
            if n != 1:
                errors.append("%s: original text found %d times in %s (must be exactly once): %r" % (m.id, n, m.path, old))
            elif old == new:
                errors.append("%s: replacement equals the original" % m.id)
            else:
                text = text.replace(old, new, 1)
    return errors


def run(cmd, cwd=None, timeout=None, env=None, log=None):
    """Runs cmd; returns (ok, timed_out). Output appended to log."""
    with open(log or os.devnull, "ab") as out:
        try:
            p = subprocess.run(cmd, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, timeout=timeout,
                               start_new_session=True)
            return p.returncode == 0, False
        except subprocess.TimeoutExpired:
            return False, True


class Worker:
    def __init__(self, index, base):
        self.i = index
        self.dir = os.path.join(base, "w%d" % index)
        self.src = os.path.join(self.dir, "src")
        self.pg = os.path.join(self.dir, "pg")
        self.run_dir = os.path.join(self.dir, "run")
        self.port = PORT_BASE + index
        self.log = os.path.join(self.dir, "log.txt")
        self.cmake = os.path.join(self.src, "build", "cmake")
        bindir = subprocess.check_output(["pg_config", "--bindir"], text=True).strip()
        pkglibdir = subprocess.check_output(["pg_config", "--pkglibdir"], text=True).strip()
        sharedir = subprocess.check_output(["pg_config", "--sharedir"], text=True).strip()
        self.real = {"bindir": bindir, "pkglibdir": pkglibdir, "sharedir": sharedir}
        self.bindir = self.pg + bindir
        pgxs = subprocess.check_output(["pg_config", "--pgxs"], text=True).strip()
        pgxs_src = os.path.dirname(os.path.dirname(pgxs))
        self.pg_regress = self.pg + os.path.join(pgxs_src, "test", "regress", "pg_regress")
        self.pg_isolation = self.pg + os.path.join(pgxs_src, "test", "isolation", "pg_isolation_regress")

    def env(self):
        e = dict(os.environ)
        e.update(PGHOST=self.run_dir, PGPORT=str(self.port), PGUSER="postgres", PGDATABASE="postgres")
        return e

    def as_user(self, cmd):
        return (["runuser", "-u", CLUSTER_USER, "--"] + cmd) if os.getuid() == 0 else cmd

    def setup(self, jobs):
        os.makedirs(self.dir)
        os.chmod(self.dir, 0o755)
        # The work tree as it is (committed or not), without builds and VCS.
        shutil.copytree(ROOT, self.src, symlinks=True,
                        ignore=shutil.ignore_patterns(".git", "build", ".cache", "node_modules", "*.o", "*.so", "*.d",
                                                      "*.bc", "*.tar.gz"))
        # The server tree, with its layout (PostgreSQL finds share/ and lib/ relative to bin/).
        for key in ("bindir", "pkglibdir", "sharedir"):
            d = self.real[key] if key != "bindir" else os.path.dirname(self.real[key])
            dest = self.pg + d
            if not os.path.exists(dest):
                os.makedirs(os.path.dirname(dest), exist_ok=True)
                shutil.copytree(d, dest, symlinks=True)
        for cmd, cwd in (
            (["make", "-s", "-j%d" % jobs, "FKG_WERROR=", FAST_FLAGS], self.src),
            (["make", "-s", "install", "DESTDIR=" + self.pg], self.src),
            (["make", "-s", "-C", "test/testkit"], self.src),
            (["make", "-s", "-C", "test/testkit", "install", "DESTDIR=" + self.pg], self.src),
            (["cmake", "-S", ".", "-B", self.cmake, "-DCMAKE_BUILD_TYPE=RelWithDebInfo", "-DFKG_WERROR=OFF"], self.src),
            (["cmake", "--build", self.cmake, "--target", "fkg_unit_tests", "-j%d" % jobs], self.src),
        ):
            ok, _ = run(cmd, cwd=cwd, log=self.log)
            if not ok:
                raise RuntimeError("worker %d: %s failed (see %s)" % (self.i, " ".join(cmd), self.log))
        # One initdb per worker; each mutant gets a fresh copy of this data directory.
        os.makedirs(self.run_dir)
        os.chmod(self.run_dir, 0o755)
        if os.getuid() == 0:
            shutil.chown(self.run_dir, CLUSTER_USER)
        ok, _ = run(self.as_user([self.bindir + "/initdb", "-D", self.run_dir + "/template", "-U", "postgres",
                                  "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C.UTF-8"]), log=self.log)
        if not ok:
            raise RuntimeError("worker %d: initdb failed (see %s)" % (self.i, self.log))
        with open(self.run_dir + "/template/postgresql.conf", "a") as f:
            f.write("listen_addresses = ''\nunix_socket_directories = '%s'\nport = %d\nfsync = off\n"
                    "log_min_messages = warning\n" % (self.run_dir, self.port))

    def build(self, core):
        ok, _ = run(["make", "-s", "FKG_WERROR=", FAST_FLAGS], cwd=self.src, log=self.log)
        ok = ok and run(["make", "-s", "install", "DESTDIR=" + self.pg], cwd=self.src, log=self.log)[0]
        if ok and core:
            ok = run(["cmake", "--build", self.cmake, "--target", "fkg_unit_tests"], cwd=self.src, log=self.log)[0]
        return ok

    def suites(self, core):
        """Runs the fast suites; returns None when all pass, else what failed."""
        if core:
            ok, to = run(["ctest", "--test-dir", self.cmake, "--output-on-failure", "-j2"], timeout=SUITE_TIMEOUT,
                         log=self.log)
            if not ok:
                return "unit" + (" (timeout)" if to else "")
        data = self.run_dir + "/data"
        subprocess.run(self.as_user(["rm", "-rf", data]))
        subprocess.run(self.as_user(["cp", "-a", self.run_dir + "/template", data]), check=True)
        server_log = self.run_dir + "/server.log"
        if os.path.exists(server_log):
            os.remove(server_log)
        ok, _ = run(self.as_user([self.bindir + "/pg_ctl", "-D", data, "-l", server_log, "-w", "start"]), log=self.log)
        if not ok:
            return "server start"
        try:
            out = os.path.join(self.dir, "out")
            shutil.rmtree(out, ignore_errors=True)
            os.makedirs(out)
            tests = sorted(f[:-4] for f in os.listdir(os.path.join(self.src, "sql")) if f.endswith(".sql"))
            specs = sorted(f[:-5] for f in os.listdir(os.path.join(self.src, "test/isolation/specs"))
                           if f.endswith(".spec"))
            kit = sorted(f[:-4] for f in os.listdir(os.path.join(self.src, "test/testkit/sql")) if f.endswith(".sql"))
            for name, cmd, listing in (
                ("pg_regress", [self.pg_regress, "--inputdir=.", "--outputdir=" + out + "/regress",
                                "--bindir=" + self.bindir, "--dbname=contrib_regression"] + tests, out + "/regress"),
                ("testkit", [self.pg_regress, "--inputdir=test/testkit", "--outputdir=" + out + "/testkit",
                             "--bindir=" + self.bindir, "--dbname=fkg_testkit_regression"] + kit, out + "/testkit"),
                ("isolation", [self.pg_isolation, "--inputdir=test/isolation", "--outputdir=" + out + "/isolation",
                               "--bindir=" + self.bindir, "--dbname=fkg_isolation"] + specs, out + "/isolation"),
            ):
                os.makedirs(listing, exist_ok=True)
                ok, to = run(cmd, cwd=self.src, timeout=SUITE_TIMEOUT, env=self.env(), log=listing + "/log.txt")
                crashed = crash_in(server_log)
                if crashed or not ok:
                    failed = failed_tests(listing + "/log.txt")
                    what = name + (" (timeout)" if to else "") + (" (crash)" if crashed else "")
                    return what + (": " + ", ".join(failed[:4]) if failed else "")
            return None
        finally:
            run(self.as_user([self.bindir + "/pg_ctl", "-D", data, "-m", "immediate", "-w", "stop"]), log=self.log)

    def try_mutant(self, m):
        path = os.path.join(self.src, m.path)
        original = open(path, encoding="utf-8").read()
        mutated = original
        for old, new in m.edits:
            if mutated.count(old) != 1:
                return "stale", "original text not found exactly once"
            mutated = mutated.replace(old, new, 1)
        core = m.path.startswith("src/core/")
        try:
            with open(path, "w", encoding="utf-8") as f:
                f.write(mutated)
            if not self.build(core):
                return "stillborn", "does not build"
            failed = self.suites(core)
            return ("killed", failed) if failed else ("survived", "")
        finally:
            with open(path, "w", encoding="utf-8") as f:
                f.write(original)


def crash_in(log):
    try:
        text = open(log, errors="replace").read()
    except OSError:
        return False
    return re.search(r"terminated by signal|server process .* was terminated|PANIC", text) is not None


def failed_tests(log):
    try:
        text = open(log, errors="replace").read()
    except OSError:
        return []
    names = re.findall(r"^not ok \d+\s+[-+]?\s*(\S+)", text, re.M)
    names += re.findall(r"^test (\S+)\s+\.\.\. FAILED", text, re.M)
    names += re.findall(r"^\s*(\S+)\s+\.\.\. FAILED", text, re.M)
    return sorted(set(names))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    # Tests wait on locks and sleeps as much as they compute: one worker more than CPUs.
    ap.add_argument("--jobs", type=int, default=max(1, min(6, (os.cpu_count() or 2) + 1)))
    ap.add_argument("--only", default="")
    ap.add_argument("--file", default=DEFAULT_LIST)
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()

    mutants, errors = parse_list(args.file)
    errors += check_list(mutants, ROOT)
    if errors:
        print("mutation: the mutant list is broken or stale:", file=sys.stderr)
        for e in errors:
            print("  " + e, file=sys.stderr)
        sys.exit(2)
    covered = {m.path for m in mutants}
    sources = sorted(os.path.relpath(os.path.join(d, f), ROOT) for d, _, fs in os.walk(os.path.join(ROOT, "src"))
                     for f in fs if f.endswith(".cpp"))
    uncovered = [s for s in sources if s not in covered]
    if args.list or args.check:
        if args.list:
            for m in mutants:
                print("%-34s %-28s %s" % (m.id, m.path, m.desc))
        print("mutation: %d mutants over %d files; .cpp files without a mutant: %s" %
              (len(mutants), len(covered), ", ".join(uncovered) or "none"))
        sys.exit(0)
    if args.only:
        wanted = set(args.only.split(","))
        unknown = wanted - {m.id for m in mutants}
        if unknown:
            print("mutation: no mutant %s" % ", ".join(sorted(unknown)), file=sys.stderr)
            sys.exit(2)
        mutants = [m for m in mutants if m.id in wanted]
    jobs = max(1, min(args.jobs, len(mutants)))

    # SIGTERM (or a second ^C) still stops the workers' servers and removes the trees.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(3))
    t0 = time.time()
    base = tempfile.mkdtemp(prefix="fkg-mutation.")
    os.chmod(base, 0o755)
    print("mutation: %d mutants, %d workers, private trees under %s" % (len(mutants), jobs, base), flush=True)
    workers = [Worker(i, base) for i in range(jobs)]
    status = 0
    try:
        errs = []

        def setup(w):
            try:
                w.setup(max(1, (os.cpu_count() or 2) // jobs))
            except Exception as e:  # reported below
                errs.append(str(e))

        threads = [threading.Thread(target=setup, args=(w,)) for w in workers]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if errs:
            print("mutation: setup failed: " + "; ".join(errs), file=sys.stderr)
            sys.exit(2)
        # The unmutated tree must pass, or every mutant would look killed.
        failed = workers[0].suites(True)
        if failed:
            print("mutation: the unmutated tree fails its own suites (%s); see %s" % (failed, workers[0].dir),
                  file=sys.stderr)
            args.keep = True
            sys.exit(2)
        print("mutation: baseline passes (%ds)" % (time.time() - t0), flush=True)

        q = queue.Queue()
        for m in mutants:
            q.put(m)
        results = {}
        lock = threading.Lock()

        def work(w):
            while True:
                try:
                    m = q.get_nowait()
                except queue.Empty:
                    return
                t = time.time()
                state, why = w.try_mutant(m)
                with lock:
                    results[m.id] = (state, why)
                    label = state.upper()
                    if state == "survived" and m.equivalent:
                        label = "EQUIVALENT"
                        why = m.equivalent
                    print("%-10s %-34s %-28s %3ds  %s%s" % (label, m.id, m.path, time.time() - t, m.desc,
                                                             ("  [" + why + "]") if why else ""), flush=True)

        threads = [threading.Thread(target=work, args=(w,)) for w in workers]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

        killed = sum(1 for s, _ in results.values() if s == "killed")
        survived = [m for m in mutants if results[m.id][0] == "survived"]
        equivalent = [m for m in survived if m.equivalent]
        broken = [m for m in mutants if results[m.id][0] in ("stale", "stillborn")]
        total = len(mutants)
        print("mutation: %d killed, %d survived (%d marked equivalent), %d broken, of %d mutants" %
              (killed, len(survived), len(equivalent), len(broken), total))
        print("mutation: score %.1f%% (killed / all), %.1f%% (killed / not equivalent), %ds" %
              (100.0 * killed / total, 100.0 * killed / max(1, total - len(equivalent)), time.time() - t0))
        for m in survived:
            print("  survived: %s (%s): %s%s" % (m.id, m.path, m.desc,
                                                 ("; equivalent: " + m.equivalent) if m.equivalent else ""))
        if broken:
            status = 2
            for m in broken:
                print("  BROKEN: %s: %s" % (m.id, results[m.id][1]))
        elif len(survived) > len(equivalent):
            status = 1
    finally:
        if args.keep:
            print("mutation: kept %s" % base)
        else:
            for w in workers:
                if os.path.isdir(w.run_dir + "/data"):
                    run(w.as_user([w.bindir + "/pg_ctl", "-D", w.run_dir + "/data", "-m", "immediate", "stop"]))
            shutil.rmtree(base, ignore_errors=True)
    sys.exit(status)


if __name__ == "__main__":
    main()
