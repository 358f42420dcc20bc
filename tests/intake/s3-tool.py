#!/usr/bin/env python3
"""awscli's own library (botocore) for the intake's S3 tests where one
awscli process a call would be too slow: many objects, keys with control
characters (given with Python escapes: 'a\\x01b'), a large object.

  s3-tool.py get-locked BUCKET OUTDIR KEY...   each object into OUTDIR/<last part>;
                                               prints "<last part> <lock mode>"
  s3-tool.py put BUCKET KEY FILE               KEY with Python escapes decoded
  s3-tool.py put-zeros BUCKET KEY BYTES        an object of BYTES zero bytes
  s3-tool.py put-many BUCKET PREFIX N          N small objects PREFIX000000 …
  s3-tool.py hide BUCKET KEY                   a DELETE without version id: a
                                               delete marker hides KEY, its
                                               locked versions stay
  s3-tool.py versions BUCKET PREFIX            "<key> <number of versions>" a line
Reads AWS_ENDPOINT and the AWS_* variables of ceph.sh's env file."""
import concurrent.futures
import os
import sys

import botocore.session
from botocore.config import Config


def client():
    s = botocore.session.get_session()
    return s.create_client("s3", endpoint_url=os.environ["AWS_ENDPOINT"], region_name="us-east-1",
                           config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 5},
                                         max_pool_connections=16))


def key_of(text):
    return text.encode("latin-1").decode("unicode_escape")


def main():
    cmd, bucket = sys.argv[1], sys.argv[2]
    c = client()
    if cmd == "get-locked":
        out = sys.argv[3]
        for key in sys.argv[4:]:
            name = key.rsplit("/", 1)[-1]
            body = c.get_object(Bucket=bucket, Key=key)["Body"].read()
            with open(os.path.join(out, name), "wb") as f:
                f.write(body)
            mode = c.get_object_retention(Bucket=bucket, Key=key)["Retention"]["Mode"]
            print(name, mode)
    elif cmd == "put":
        with open(sys.argv[4], "rb") as f:
            c.put_object(Bucket=bucket, Key=key_of(sys.argv[3]), Body=f.read())
    elif cmd == "put-zeros":
        c.put_object(Bucket=bucket, Key=key_of(sys.argv[3]), Body=b"\0" * int(sys.argv[4]))
    elif cmd == "put-many":
        prefix, n = sys.argv[3], int(sys.argv[4])
        with concurrent.futures.ThreadPoolExecutor(8) as ex:
            list(ex.map(lambda i: c.put_object(Bucket=bucket, Key="%s%06d" % (prefix, i), Body=b"x"),
                        range(n)))
    elif cmd == "hide":
        c.delete_object(Bucket=bucket, Key=key_of(sys.argv[3]))
    elif cmd == "versions":
        counts = {}
        for page in c.get_paginator("list_object_versions").paginate(Bucket=bucket, Prefix=sys.argv[3]):
            for v in page.get("Versions", []):
                counts[v["Key"]] = counts.get(v["Key"], 0) + 1
        for key in sorted(counts):
            print(key, counts[key])
    else:
        sys.exit("unknown command " + cmd)


if __name__ == "__main__":
    main()
