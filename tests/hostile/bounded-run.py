#!/usr/bin/env python3
"""bounded-run.py STATS CMD...: runs CMD with this process's stdin, stdout
and stderr; writes "WALL_SECONDS PEAK_RSS_KIB" to STATS and exits as CMD
did (128+N when a signal N ended it).

The peak RSS is getrusage(RUSAGE_CHILDREN).ru_maxrss: the largest of CMD and
every descendant it waited for (so through `timeout` it is the tool's own).
No /usr/bin/time needed."""
import resource
import subprocess
import sys
import time

t0 = time.monotonic()
rc = subprocess.run(sys.argv[2:]).returncode
wall = time.monotonic() - t0
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
with open(sys.argv[1], "w") as f:
    f.write(f"{wall:.3f} {rss}\n")
sys.exit(128 - rc if rc < 0 else rc)
