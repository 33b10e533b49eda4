"""Print what botocore reads from a provider directory, as JSON.

usage: botocore_profiles.py DIR  ->  {"credentials": {...}, "config": {...}}
The test compares this before and after a logout.
"""
import json
import os
import sys

from botocore import configloader

d = sys.argv[1]
out = {}
creds = os.path.join(d, "credentials")
conf = os.path.join(d, "config")
out["credentials"] = configloader.raw_config_parse(creds) if os.path.exists(creds) else {}
out["config"] = configloader.load_config(conf)["profiles"] if os.path.exists(conf) else {}
json.dump(out, sys.stdout, sort_keys=True)
