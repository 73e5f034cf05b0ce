#!/usr/bin/env python3
"""Every link and anchor in README.md and docs/*.md resolves, and README.md
is a front page of at most 400 lines.

usage: check_links.py SOURCE_DIR [--fix]

A link is [text](target) outside code; targets with a scheme (https:,
mailto:) are not fetched. A relative target must name a file or directory
of the checkout; "#anchor" must be a heading of the target (GitHub's
slugs: lower case, punctuation dropped, spaces to hyphens, "-1", "-2" for
repeats) or an explicit id="..." there. --fix rewrites a link to a missing
anchor that exactly one other document has (a section that moved).
"""
import os
import re
import sys

MAX_README_LINES = 400
LINK = re.compile(r"(?<!\!)\[([^\]]*)\]\(([^)\s]+)\)")


def slug(heading):
    text = re.sub(r"`", "", heading.strip()).lower()
    text = re.sub(r"[^\w\- ]", "", text, flags=re.UNICODE)
    return text.replace(" ", "-")


def prose_lines(text):
    """(number, line) outside fenced and indented code blocks, with inline
    code spans blanked."""
    fenced = False
    for n, line in enumerate(text.split("\n"), 1):
        if line.startswith("```"):
            fenced = not fenced
            continue
        if fenced or line.startswith("    ") or line.startswith("\t"):
            continue
        yield n, re.sub(r"`[^`]*`", lambda m: " " * len(m.group(0)), line)


def anchors(path):
    seen = {}
    found = set()
    text = open(path, encoding="utf-8").read()
    for _, line in prose_lines(text):
        m = re.match(r"^(#{1,6}) (.*)$", line)
        if m:
            # The heading's own text (code spans included) makes the slug.
            raw = text.split("\n")[_ - 1][len(m.group(1)) + 1:]
            s = slug(raw)
            if s in seen:
                seen[s] += 1
                s = "%s-%d" % (s, seen[s])
            else:
                seen[s] = 0
            found.add(s)
        for a in re.findall(r'id="([^"]+)"', line):
            found.add(a)
    return found


def documents(root):
    out = [os.path.join(root, "README.md")]
    docs = os.path.join(root, "docs")
    if os.path.isdir(docs):
        out += sorted(os.path.join(docs, f) for f in os.listdir(docs)
                      if f.endswith(".md"))
    return out


def main():
    root = os.path.abspath(sys.argv[1])
    fix = "--fix" in sys.argv[2:]
    docs = documents(root)
    all_anchors = {d: anchors(d) for d in docs}
    failures = []
    for doc in docs:
        text = open(doc, encoding="utf-8").read()
        new_text = text
        for n, line in prose_lines(text):
            for _, target in LINK.findall(line):
                if re.match(r"^[a-z]+:", target):
                    continue
                path, _, anchor = target.partition("#")
                dest = (os.path.normpath(os.path.join(os.path.dirname(doc), path))
                        if path else doc)
                where = "%s:%d: %s" % (os.path.relpath(doc, root), n, target)
                if not os.path.exists(dest):
                    failures.append("%s: no such file" % where)
                    continue
                if not anchor:
                    continue
                have = all_anchors.get(dest)
                if have is None:
                    if dest.endswith(".md"):
                        have = anchors(dest)
                    else:
                        failures.append("%s: an anchor into a non-Markdown "
                                        "file" % where)
                        continue
                if anchor in have:
                    continue
                owners = [d for d, a in all_anchors.items() if anchor in a]
                if fix and len(owners) == 1:
                    rel = os.path.relpath(owners[0], os.path.dirname(doc))
                    rel = "" if owners[0] == doc else rel
                    new_text = new_text.replace("](%s)" % target,
                                                "](%s#%s)" % (rel, anchor))
                    continue
                failures.append("%s: no anchor #%s there%s" % (
                    where, anchor, " (it is in %s)" % ", ".join(
                        os.path.relpath(o, root) for o in owners)
                    if owners else ""))
        if new_text != text:
            open(doc, "w", encoding="utf-8").write(new_text)
    readme_lines = open(docs[0], encoding="utf-8").read().count("\n")
    if readme_lines > MAX_README_LINES:
        failures.append("README.md has %d lines (at most %d)" %
                        (readme_lines, MAX_README_LINES))
    for f in failures:
        print("FAIL", f)
    print("%d documents, %d problems" % (len(docs), len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
