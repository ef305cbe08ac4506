#!/usr/bin/python3
"""The layers of lib/ checked like code (issue #13): one line per problem,
then "structure: N passed, N failed".

  cycles    no include cycle between lib modules (x_int.h / x_impl.h, a
            module's private header, counts as the module x)
  headers   every lib .c has a header of its own (x.c: x.h; the
            implementations of one interface share it, FAMILIES), except
            the files listed in tests/structure-baseline.txt ("noheader
            x"), which may only shrink
  tests     every lib header has its unit test, tests/unit/test_<h>.c (or
            the one TESTED_BY names), except the headers the baseline lists
            ("untested h"), which may only shrink
  layers    lib/core includes only core; only lib/api includes lib/api;
            lib/usecases is included only by itself and lib/api: the layers
            below never reach up
  writes    every write goes through db_write (db.h: the one path that
            shares durable commits): no db_begin(db, 1, ...) outside the
            storage itself
  records   use-case code (cgi/, tools/, lib/api/ and lib/usecases/) names no LMDB table (T_...) and reads no record
            field by its JSON name; what remains is counted per file in the
            baseline ("fields lib/FILE N"), and a count may only go down
"""
import glob
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BASELINE = os.path.join(ROOT, "tests", "structure-baseline.txt")
# Implementations of one interface share its header: the endpoint groups
# (api.h), the storage's backends (db.h), the store-file formats
# (certstore.h), the answer formats (output.h), the parts of enrollment
# (enroll.h, enroll_impl.h), of CA and template administration (ca.h,
# policy.h).
FAMILIES = ("api_", "db_", "certstore_", "output_", "enroll_", "ca_",
            "policy_")
USE_CASES = "usecases"

problems = []
checks = 0


def lib_files(ext):
    return sorted(glob.glob(os.path.join(ROOT, "lib", "**", "*" + ext),
                            recursive=True))


def module(path):
    m = os.path.basename(path).rsplit(".", 1)[0]
    return re.sub(r"_(int|impl)$", "", m)


def read_baseline():
    noheader, fields, untested = set(), {}, set()
    for line in open(BASELINE):
        w = line.split("#", 1)[0].split()	# "# why" may end a line
        if len(w) == 2 and w[0] == "noheader":
            noheader.add(w[1])
        elif len(w) == 2 and w[0] == "untested":
            untested.add(w[1])
        elif len(w) == 3 and w[0] == "fields":
            fields[w[1]] = int(w[2])
    return noheader, fields, untested


def check_cycles():
    global checks
    deps = {}
    for f in lib_files(".c") + lib_files(".h"):
        m = module(f)
        for inc in re.findall(r'#include "([^"]+)\.h"', open(f).read()):
            d = module(inc)
            if d != m:
                deps.setdefault(m, set()).add(d)
    index, low, stack, on, sccs = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(deps.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            c = []
            while True:
                w = stack.pop()
                on.discard(w)
                c.append(w)
                if w == v:
                    break
            if len(c) > 1:
                sccs.append(sorted(c))

    sys.setrecursionlimit(10000)
    for v in sorted(deps):
        if v not in index:
            visit(v)
    checks += 1
    for c in sccs:
        problems.append("cycles: %s include each other" % " <-> ".join(c))
    if not deps:
        problems.append("cycles: no includes found (is lib/ there?)")


def check_headers(noheader):
    global checks
    headers = {os.path.basename(h)[:-2] for h in lib_files(".h")}
    for c in lib_files(".c"):
        stem = os.path.basename(c)[:-2]
        checks += 1
        if stem.startswith(FAMILIES) and stem.split("_")[0] in headers:
            continue
        if stem not in headers and stem not in noheader:
            problems.append("headers: lib %s.c has no %s.h" % (stem, stem))
    for stem in sorted(noheader):
        checks += 1
        if stem in headers:
            problems.append("headers: %s.h exists now: take 'noheader %s' "
                            "out of the baseline" % (stem, stem))


# Headers whose unit test is named after what it tests.
TESTED_BY = {"timeutil": "time", "output": "pem", "api": "endpoint",
             "signer_server": "signer_policy", "signer": "signer_policy",
             "certfind": "certview",
             "storeview": "certview"}


def check_tests(untested):
    global checks
    for h in lib_files(".h"):
        stem = os.path.basename(h)[:-2]
        if re.search(r"_(int|impl)$", stem):
            continue
        checks += 1
        test = os.path.join(ROOT, "tests", "unit", "test_%s.c" %
                            TESTED_BY.get(stem, stem))
        if os.path.exists(test) and stem in untested:
            problems.append("tests: %s.h has a unit test now: take "
                            "'untested %s' out of the baseline" % (stem, stem))
        elif not os.path.exists(test) and stem not in untested:
            problems.append("tests: %s.h has no unit test (%s)" % (
                stem, os.path.relpath(test, ROOT)))


def check_layers():
    global checks
    where = {os.path.basename(h): h.split(os.sep)[-2] for h in lib_files(".h")}
    for f in lib_files(".c") + lib_files(".h"):
        layer = f.split(os.sep)[-2]
        checks += 1
        for inc in re.findall(r'#include "([^"]+)"', open(f).read()):
            to = where.get(inc)
            if to is None:
                continue
            if (layer == "core" and to != "core") or \
                    (to == "api" and layer != "api") or \
                    (to == "usecases" and layer not in ("usecases", "api")):
                problems.append("layers: %s (%s) includes %s of %s" % (
                    os.path.relpath(f, ROOT), layer, inc, to))


WRITE_BEGIN = re.compile(r"\bdb_begin\([^,]+,\s*1\s*,")


def check_writes():
    global checks
    files = lib_files(".c") + sorted(glob.glob(os.path.join(ROOT, "tools",
                                                           "*.c")))
    for f in files:
        if os.path.basename(f) in ("db.c", "db_lmdb.c", "db_pg.c"):
            continue
        checks += 1
        text = re.sub(r"/\*.*?\*/", "", open(f).read(), flags=re.S)
        n = len(WRITE_BEGIN.findall(text))
        if n:
            problems.append("writes: %s begins %d write transaction(s) of "
                            "its own: use db_write" % (os.path.relpath(f, ROOT),
                                                       n))


FIELD = re.compile(r'json_object_object_get(?:_ex)?\(|\bT_[A-Z_]+\b|'
                   r'\brec_(?:str|int|bool)\(|\bjrec_(?:str|int|bool)\(')


def check_records(fields):
    global checks
    files = sorted(glob.glob(os.path.join(ROOT, "cgi", "*.c")))
    files += sorted(glob.glob(os.path.join(ROOT, "tools", "*.c")))
    files += sorted(glob.glob(os.path.join(ROOT, "lib", "**", "api_*.c"),
                              recursive=True))
    found = sorted(glob.glob(os.path.join(ROOT, "lib", USE_CASES, "*.c")))
    if not found:
        problems.append("records: no use-case modules in lib/%s" % USE_CASES)
    files += found
    for f in files:
        rel = os.path.relpath(f, ROOT)
        text = re.sub(r"/\*.*?\*/", "", open(f).read(), flags=re.S)
        n = len(FIELD.findall(text))
        allowed = fields.get(rel, 0)
        checks += 1
        if n > allowed:
            problems.append("records: %s names tables or reads record "
                            "fields %d times (baseline %d): use the record "
                            "modules" % (rel, n, allowed))
        elif n < allowed:
            problems.append("records: %s is down to %d (baseline %d): lower "
                            "'fields %s' in the baseline" % (rel, n, allowed,
                                                             rel))


def main():
    noheader, fields, untested = read_baseline()
    check_cycles()
    check_headers(noheader)
    check_tests(untested)
    check_layers()
    check_writes()
    check_records(fields)
    for p in problems:
        print(p)
    print("structure: %d passed, %d failed" % (checks - len(problems),
                                               len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
