"""What the end-to-end scripts share: finding captures, running tcpstate."""

import os
import subprocess

SUFFIXES = (".pcap", ".pcapng", ".cap", ".pcap.gz")


def captures(root):
    """Every capture file under `root`, sorted."""
    found = []
    for dirpath, _, files in os.walk(root):
        for name in files:
            if name.endswith(SUFFIXES):
                found.append(os.path.join(dirpath, name))
    return sorted(found)


def run(args, timeout=300):
    """(exit code, stdout, stderr) of a command."""
    p = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=timeout)
    return p.returncode, p.stdout, p.stderr
