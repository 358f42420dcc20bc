#!/usr/bin/env python3
"""Print a guide's commands as one bash script, for the docs-* tests.

    docs-blocks.py GUIDE.md [--from HEADING] [--to HEADING] [--fill WORD=VALUE]...

Takes every fenced block tagged ```sh (in order) between the heading that
starts with --from and the next heading that starts with --to (the whole
guide without them). A block right after the line
    <!-- docs-test: skip REASON -->
is not run (hardware this machine lacks, a step that reboots, ...): it is
listed on stderr as "skipped: GUIDE block N: REASON", so each test can show
what it left out. --fill replaces a placeholder the guide prints (a whole
word such as SESSION_DIR or device.pub) with the test's own value, from a
table the test names; a placeholder that does not occur is an error, so a
renamed placeholder fails the test instead of silently running nothing.
"""
import argparse
import re
import sys


def section(text, start, end):
    if start:
        m = re.search(r"^#+ " + re.escape(start) + r".*$", text, re.M)
        if not m:
            sys.exit(f"docs-blocks: no heading starting with '{start}'")
        text = text[m.end():]
    if end:
        m = re.search(r"^#+ " + re.escape(end) + r".*$", text, re.M)
        if not m:
            sys.exit(f"docs-blocks: no heading starting with '{end}'")
        text = text[:m.start()]
    return text


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("guide")
    ap.add_argument("--from", dest="start")
    ap.add_argument("--to", dest="end")
    ap.add_argument("--fill", action="append", default=[])
    a = ap.parse_args()
    text = section(open(a.guide, encoding="utf-8").read(), a.start, a.end)
    blocks = re.finditer(r"(<!-- docs-test: skip ([^>]*?) -->\s*\n)?```sh\n(.*?)```", text, re.S)
    out, n = [], 0
    for m in blocks:
        n += 1
        if m.group(1):
            print(f"skipped: {a.guide.rsplit('/', 1)[-1]} block {n}: {m.group(2).strip()}",
                  file=sys.stderr)
            continue
        out.append(m.group(3))
    script = "\n".join(out)
    for fill in a.fill:
        word, _, value = fill.partition("=")
        pattern = r"(?<![\w/.-])" + re.escape(word) + r"(?![\w-])"
        if not re.search(pattern, script):
            sys.exit(f"docs-blocks: placeholder '{word}' does not occur in the guide's commands")
        script = re.sub(pattern, lambda _: value, script)
    if not script.strip():
        sys.exit("docs-blocks: the guide has no ```sh block there")
    print(script)


if __name__ == "__main__":
    main()
