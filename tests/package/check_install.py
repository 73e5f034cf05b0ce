#!/usr/bin/env python3
"""Install and packaging checks (issue 19).

usage: check_install.py install BUILD_DIR SOURCE_DIR
       check_install.py man BUILD_DIR
       check_install.py deb BUILD_DIR SOURCE_DIR

install: `cmake --install BUILD_DIR --prefix TMP` gives TMP/bin/tcpstate
  (which runs and says this build's version), the man page, the bash
  completion and the docs; the completion completes options in bash.
man: the man page renders without a warning (`man --warnings -l`) and
  documents every option --help lists.
deb: `cpack -G DEB` gives tcpstate_<version>_<arch>.deb with libpcap,
  Abseil and libstdc++ among its dependencies; as root, `dpkg -i` installs
  it, /usr/bin/tcpstate reports a finding on a testdata capture, and
  `dpkg -r` removes every file again. Exit 77 (skipped) when not root or
  when a tcpstate package is installed already (it is not ours to replace).
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

SKIP = 77


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


# The options --help lists, read as the documentation test reads them.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "e2e"))
from check_options_documented import from_help as help_options  # noqa: E402


def check_man(build):
    page = os.path.join(build, "tcpstate.1")
    failures = []
    proc = run(["man", "--warnings", "-l", page],
               env=dict(os.environ, MANWIDTH="80", MAN_KEEP_FORMATTING="0"))
    if proc.returncode != 0:
        failures.append("man exit %d: %s" % (proc.returncode, proc.stderr))
    if proc.stderr.strip():
        failures.append("man warnings:\n" + proc.stderr)
    text = re.sub(r".\x08", "", proc.stdout)  # overstrike, if any
    text = text.replace("\u2010", "-").replace("\u2212", "-")
    words = set(re.findall(r"(?<![\w-])(--?[A-Za-z][\w-]*)", text))
    tcpstate = os.path.join(build, "tools", "tcpstate")
    for option in sorted(help_options(tcpstate) - words):
        failures.append("%s is in --help but not in the man page" % option)
    for section in ("NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS",
                    "EXIT STATUS", "EXAMPLES", "SEE ALSO"):
        if not re.search(r"^%s$" % section, text, re.M):
            failures.append("man page has no %s section" % section)
    return failures


def check_completion(completion):
    """Completes in a real bash: option prefixes and --format values."""
    failures = []
    script = (
        "source %s\n"
        "COMP_WORDS=(tcpstate --time-w); COMP_CWORD=1; _tcpstate;"
        " echo \"A:${COMPREPLY[*]}\"\n"
        "COMP_WORDS=(tcpstate -r x --format js); COMP_CWORD=4; _tcpstate;"
        " echo \"B:${COMPREPLY[*]}\"\n"
        "COMP_WORDS=(tcpstate me); COMP_CWORD=1; _tcpstate;"
        " echo \"C:${COMPREPLY[*]}\"\n" % completion)
    out = run(["bash", "-c", script]).stdout
    for want in ("A:--time-wait", "B:json jsonl", "C:merge"):
        if want not in out.splitlines():
            failures.append("completion: want %r, got %r" % (want, out))
    return failures


def check_install(build, source):
    failures = []
    prefix = tempfile.mkdtemp(prefix="tcpstate-install-")
    try:
        proc = run(["cmake", "--install", build, "--prefix", prefix])
        if proc.returncode != 0:
            return ["cmake --install failed: " + proc.stderr]
        binary = os.path.join(prefix, "bin", "tcpstate")
        built = run([os.path.join(build, "tools", "tcpstate"), "--version"])
        got = run([binary, "--version"]) if os.path.exists(binary) else None
        if got is None or got.stdout != built.stdout or not got.stdout:
            failures.append("%s --version: %r, the build says %r" %
                            (binary, got and got.stdout, built.stdout))
        for rel in ("share/man/man1/tcpstate.1",
                    "share/bash-completion/completions/tcpstate",
                    "share/doc/tcpstate/README.md",
                    "share/doc/tcpstate/cli.md"):
            if not os.path.isfile(os.path.join(prefix, rel)):
                failures.append("not installed: %s" % rel)
        completion = os.path.join(prefix,
                                  "share/bash-completion/completions/tcpstate")
        if os.path.isfile(completion):
            failures.extend(check_completion(completion))
        capture = os.path.join(source, "testdata", "captures",
                               "server_never_closes.pcap")
        if os.path.exists(binary):
            proc = run([binary, "-r", capture, "--stuck-after", "1s"])
            if "close_wait_stuck" not in proc.stdout:
                failures.append("installed tcpstate found no stuck CLOSE_WAIT")
    finally:
        shutil.rmtree(prefix)
    return failures


def check_deb(build, source):
    failures = []
    out = tempfile.mkdtemp(prefix="tcpstate-deb-")
    try:
        proc = run(["cpack", "-G", "DEB", "--config",
                    os.path.join(build, "CPackConfig.cmake"), "-B", out],
                   cwd=build)
        if proc.returncode != 0:
            return ["cpack failed: " + proc.stdout + proc.stderr]
        version = run([os.path.join(build, "tools", "tcpstate"),
                       "--version"]).stdout.split()[-1]
        arch = run(["dpkg", "--print-architecture"]).stdout.strip()
        deb = os.path.join(out, "tcpstate_%s_%s.deb" % (version, arch))
        if not os.path.isfile(deb):
            return ["no %s (cpack wrote %s)" %
                    (os.path.basename(deb), sorted(os.listdir(out)))]
        depends = run(["dpkg-deb", "-f", deb, "Depends"]).stdout
        for lib in ("libpcap0.8", "libabsl", "libstdc++6"):
            if lib not in depends:
                failures.append("Depends lacks %s: %s" % (lib, depends))
        files = run(["dpkg-deb", "-c", deb]).stdout
        for path in ("./usr/bin/tcpstate", "./usr/share/man/man1/tcpstate.1",
                     "./usr/share/bash-completion/completions/tcpstate"):
            if path not in files:
                failures.append("the package lacks %s" % path)
        if failures:
            return failures
        if os.geteuid() != 0:
            print("SKIPPED dpkg -i: not root (the package was built and "
                  "checked)")
            return None
        if run(["dpkg-query", "-W", "tcpstate"]).returncode == 0:
            print("SKIPPED dpkg -i: a tcpstate package is installed already")
            return None
        proc = run(["dpkg", "-i", deb])
        if proc.returncode != 0:
            return ["dpkg -i failed: " + proc.stdout + proc.stderr]
        try:
            capture = os.path.join(source, "testdata", "captures",
                                   "server_never_closes.pcap")
            proc = run(["/usr/bin/tcpstate", "-r", capture, "--stuck-after",
                        "1s"])
            if "close_wait_stuck" not in proc.stdout:
                failures.append("/usr/bin/tcpstate found no stuck CLOSE_WAIT: "
                                + proc.stdout + proc.stderr)
            if run(["man", "-w", "tcpstate"]).returncode != 0:
                failures.append("man -w tcpstate: not found after install")
        finally:
            proc = run(["dpkg", "-r", "tcpstate"])
            if proc.returncode != 0:
                failures.append("dpkg -r failed: " + proc.stderr)
        for path in ("/usr/bin/tcpstate", "/usr/share/man/man1/tcpstate.1",
                     "/usr/share/bash-completion/completions/tcpstate"):
            if os.path.exists(path):
                failures.append("left after dpkg -r: %s" % path)
    finally:
        shutil.rmtree(out)
    return failures


def main():
    what, build = sys.argv[1], os.path.abspath(sys.argv[2])
    source = os.path.abspath(sys.argv[3]) if len(sys.argv) > 3 else None
    if what == "man":
        failures = check_man(build)
    elif what == "install":
        failures = check_install(build, source)
    elif what == "deb":
        failures = check_deb(build, source)
        if failures is None:
            return SKIP
    else:
        sys.exit(__doc__)
    for f in failures:
        print("FAIL", f)
    print("%s: %s" % (what, "FAILED" if failures else "OK"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
