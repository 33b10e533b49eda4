"""Check atmos-logout's --output json against the schema docs/atmos-logout.md documents.

usage: json_schema.py DOC SECTION < output.json
The schema is the ```json block under the heading SECTION: every key the
document shows, with its example value's type (null where the comment or
example allows it), the keys its comment says are there "only" in some
cases, and the values a string lists as "a | b | c".  A key the
output has and the schema does not (or the other way), a type the schema does
not allow, or a value outside its list fails, naming the key.
"""
import json
import re
import sys


def schema(doc, section):
    text = open(doc, encoding="utf-8").read()
    start = text.index(section)
    block = text[text.index("```json", start) + 7:text.index("```", text.index("```json", start) + 7)]
    # The document's comments: after the value, "//" to the end of the line.
    clean = "\n".join(re.sub(r'\s//.*$', "", line) for line in block.splitlines())
    return json.loads(clean), block


def optional(block, key):
    """A key whose comment says it is there only in some cases ("... only")."""
    for line in block.splitlines():
        if re.match(r'\s*"%s":' % re.escape(key), line) and re.search(r"\bonly\b", line.split("//", 1)[-1]):
            return True
    return False


def nullable(block, key):
    """A key whose example is not null but whose comment says it may be null."""
    for line in block.splitlines():
        if re.match(r'\s*"%s":' % re.escape(key), line) and "null" in line.split("//", 1)[-1]:
            return True
    return False


def check(doc, got, block, where, errors):
    if isinstance(doc, dict):
        if not isinstance(got, dict):
            errors.append(f"{where}: an object expected, got {type(got).__name__}")
            return
        for k in sorted(set(got) - set(doc)):
            errors.append(f"{where}.{k}: not in the documented schema")
        for k in sorted(set(doc) - set(got)):
            if not optional(block, k):
                errors.append(f"{where}.{k}: documented but missing")
        for k in sorted(set(doc) & set(got)):
            want, have = doc[k], got[k]
            if have is None and (want is None or nullable(block, k)):
                continue
            if want is None:
                continue  # documented as null here: any value its comment names
            check(want, have, block, f"{where}.{k}", errors)
    elif isinstance(doc, list):
        if not isinstance(got, list):
            errors.append(f"{where}: a list expected, got {type(got).__name__}")
        elif doc and isinstance(doc[0], (dict, list)):
            for i, g in enumerate(got):
                check(doc[0], g, block, f"{where}[{i}]", errors)
    elif isinstance(doc, bool):
        if not isinstance(got, bool):
            errors.append(f"{where}: a boolean expected, got {got!r}")
    elif isinstance(doc, (int, float)):
        if isinstance(got, bool) or not isinstance(got, (int, float)):
            errors.append(f"{where}: a number expected, got {got!r}")
    elif isinstance(doc, str):
        if isinstance(got, list) and where.endswith(".target"):
            return  # documented: the list for --tags
        if not isinstance(got, str):
            errors.append(f"{where}: a string expected, got {got!r}")
        elif " | " in doc and got not in [v.strip() for v in doc.split("|")]:
            errors.append(f"{where}: {got!r} is not one of the documented {doc!r}")


def main():
    doc, block = schema(sys.argv[1], sys.argv[2])
    got = json.load(sys.stdin)
    errors = []
    check(doc, got, block, "$", errors)
    for e in errors:
        print(e)
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
