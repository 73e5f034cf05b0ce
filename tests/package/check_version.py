#!/usr/bin/env python3
"""cmake/version.cmake: the version from `git describe` where there is a
git checkout, else the project version.

usage: check_version.py SOURCE_DIR

In a scratch repository: no git at all -> 0.1.0; commits without a tag ->
0.1.0+<commits>.g<hash>; a tag v2.3.4 on HEAD -> 2.3.4; one commit later
-> 2.3.4+1.g<hash>; a changed tracked file -> .dirty; the generated file
is not rewritten when the version is unchanged (no rebuild). Each version
also sorts after the one before it as dpkg compares versions.
"""
import os
import shutil
import subprocess
import sys
import tempfile


def version(script, source, out):
    subprocess.run(["cmake", "-DSOURCE_DIR=" + source,
                    "-DPROJECT_VERSION=0.1.0", "-DOUT=" + out, "-P", script],
                   check=True, capture_output=True)
    text = open(out).read()
    return text.split('TcpstateVersion() { return "')[1].split('"')[0]


def git(repo, *args):
    return subprocess.run(["git", "-C", repo, *args], check=True,
                          capture_output=True, text=True,
                          env=dict(os.environ, GIT_AUTHOR_NAME="t",
                                   GIT_AUTHOR_EMAIL="t@t", GIT_COMMITTER_NAME="t",
                                   GIT_COMMITTER_EMAIL="t@t")).stdout.strip()


def main():
    script = os.path.join(os.path.abspath(sys.argv[1]), "cmake", "version.cmake")
    work = tempfile.mkdtemp(prefix="tcpstate-version-")
    failures = []
    try:
        repo = os.path.join(work, "src")
        os.mkdir(repo)
        out = os.path.join(work, "version.cc")
        seen = []

        def expect(what, want):
            got = version(script, repo, out)
            if got != want:
                failures.append("%s: want %s, got %s" % (what, want, got))
            seen.append(got)

        expect("no git", "0.1.0")
        git(repo, "init", "-q")
        open(os.path.join(repo, "a"), "w").write("1")
        git(repo, "add", "a")
        git(repo, "commit", "-qm", "one")
        git(repo, "commit", "-q", "--allow-empty", "-m", "two")
        head = git(repo, "rev-parse", "--short=12", "HEAD")
        expect("no tag", "0.1.0+2.g" + head)
        git(repo, "tag", "v2.3.4")
        expect("tag on HEAD", "2.3.4")
        mtime = os.stat(out).st_mtime_ns
        expect("again", "2.3.4")
        if os.stat(out).st_mtime_ns != mtime:
            failures.append("the unchanged version file was rewritten")
        git(repo, "commit", "-q", "--allow-empty", "-m", "three")
        head = git(repo, "rev-parse", "--short=12", "HEAD")
        expect("a commit after the tag", "2.3.4+1.g" + head)
        open(os.path.join(repo, "a"), "w").write("2")
        expect("uncommitted change", "2.3.4+1.g%s.dirty" % head)
        for a, b in zip(seen[2:], seen[3:]):  # from the tag on
            if subprocess.run(["dpkg", "--compare-versions", a, "le", b]).returncode:
                failures.append("dpkg: %s sorts after %s" % (a, b))
    finally:
        shutil.rmtree(work)
    for f in failures:
        print("FAIL", f)
    print("version: %s" % ("FAILED" if failures else "OK"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
