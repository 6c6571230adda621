#!/usr/bin/python3
# validate-json.py SCHEMA FILE...: each FILE validates against the JSON
# Schema SCHEMA (docs/memsup.schema.json); prints each error with its path
# and exits 1 when any file does not.
import json
import sys

import jsonschema

schema = json.load(open(sys.argv[1]))
jsonschema.Draft7Validator.check_schema(schema)
validator = jsonschema.Draft7Validator(schema)
bad = 0
for path in sys.argv[2:]:
    with open(path) as f:
        doc = json.load(f)
    for err in sorted(validator.iter_errors(doc), key=lambda e: list(e.path))[:10]:
        where = "/".join(str(p) for p in err.absolute_path) or "(top)"
        print(f"{path}: {where}: {err.message}", file=sys.stderr)
        bad = 1
sys.exit(bad)
