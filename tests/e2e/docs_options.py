"""Do --help, the man page and the three completions name the same options?

usage: docs_options.py HELP_TEXT_FILE MAN_PAGE BASH_COMPLETION ZSH_COMPLETION FISH_COMPLETION

--help is the reference: atmos-logout's one option table prints it.  Each
other source is read as its own format says (the man page's OPTIONS section,
each .TP's tag line; zsh's _arguments specs; fish's complete lines; bash's
`case $prev` patterns, since bash takes the flags themselves from --help) and
compared by long name and short letter.  Also: --config means the same
everywhere ("instead of the search path": it replaces the search, as atmos
does).  Prints each difference; exit 1 when there is one.
"""
import re
import sys

help_path, man_path, bash_path, zsh_path, fish_path = sys.argv[1:6]
problems = []


def read(p):
    with open(p, encoding="utf-8") as f:
        return f.read()


# --help: "  -a, --all   ..." or "      --all-realms ..."; an argument after the name.
helps, takes_value, help_text = {}, set(), {}
for line in read(help_path).splitlines():
    m = re.match(r"^  (?:-(\w), )? *--([a-z][a-z-]*)( [A-Z]+)?(?:\s+(.*))?$", line)
    if m:
        helps[m.group(2)] = m.group(1) or ""
        if m.group(3):
            takes_value.add(m.group(2))
        help_text[m.group(2)] = m.group(4) or ""
# A help text on the next line (a long name): the line after it.
lines = read(help_path).splitlines()
for i, line in enumerate(lines):
    m = re.match(r"^  (?:-\w, )? *--([a-z][a-z-]*)( [A-Z]+)?$", line)
    if m and i + 1 < len(lines):
        help_text[m.group(1)] = lines[i + 1].strip()
if len(helps) < 5:
    sys.exit(f"docs_options: only {len(helps)} options read from --help")


def man_options():
    text = read(man_path)
    section = text[text.index("\n.SH OPTIONS\n"):]
    section = section[:section.index("\n.SH ", 1)]
    out, tag = {}, False
    for line in section.splitlines():
        if tag:
            words = line.replace("\\-", "-")
            words = re.sub(r"\\f[BIRP]", " ", words).replace('"', " ").replace(",", " ")
            letter = ""
            for w in words.split():
                if re.fullmatch(r"-\w", w):
                    letter = w[1]
                elif re.fullmatch(r"--[a-z][a-z-]*", w):
                    out[w[2:]] = letter
                    letter = ""
        tag = line.strip() == ".TP"
    return out


def zsh_options():
    text = read(zsh_path)
    out = {}
    for m in re.finditer(r"\{-(\w)\+?,--([a-z][a-z-]*)=?\}", text):
        out[m.group(2)] = m.group(1)
    for m in re.finditer(r"'(?:\([^)]*\))?--([a-z][a-z-]*)=?\[", text):
        out.setdefault(m.group(1), "")
    return out


def fish_options():
    out = {}
    for line in read(fish_path).splitlines():
        m = re.match(r"^complete -c atmos-logout(?: -s (\w))? -l ([a-z][a-z-]*)", line)
        if m:
            out[m.group(2)] = m.group(1) or ""
    return out


def bash_value_options():
    """The options whose value bash completes by itself (case $prev in ... esac)."""
    text = read(bash_path)
    block = text[text.index("case $prev in"):]
    block = block[:block.index("esac")]
    out = {}
    for m in re.finditer(r"^\s*([-|\w]+)\)", block, re.M):
        letter, names = "", []
        for p in m.group(1).split("|"):
            if re.fullmatch(r"-\w", p):
                letter = p[1]
            elif p.startswith("--"):
                names.append(p[2:])
        for n in names:
            out[n] = letter
    return out


def compare(what, got, want):
    for name in sorted(set(want) - set(got)):
        problems.append(f"{what}: --{name} is missing (--help lists it)")
    for name in sorted(set(got) - set(want)):
        problems.append(f"{what}: --{name} is not an option (--help does not list it)")
    for name in sorted(set(got) & set(want)):
        if got[name] != want[name]:
            problems.append(f"{what}: --{name} has short letter {got[name] or 'none'!r}, "
                            f"--help {want[name] or 'none'!r}")


compare("man page", man_options(), helps)
compare("zsh completion", zsh_options(), helps)
compare("fish completion", fish_options(), helps)
compare("bash completion (values)", bash_value_options(), {n: helps[n] for n in takes_value})

# --config replaces the search path (as atmos): every source says so, none "read last".
if "instead of the search path" not in help_text.get("config", ""):
    problems.append(f"--help: --config reads {help_text.get('config')!r}")
sources = {"man page": read(man_path), "zsh completion": read(zsh_path),
           "fish completion": read(fish_path)}
for what, text in sources.items():
    lines = [l for l in text.splitlines() if "config" in l and ("--config" in l or "\\-\\-config" in l
                                                                 or "-l config" in l)]
    joined = " ".join(lines)
    if what == "man page":
        i = text.index("\\-\\-config \" \\fIPATH\\fR\"")
        joined = text[i:i + 300]
    if "instead of the search path" not in joined:
        problems.append(f"{what}: --config is not said to replace the search path")
    if re.search(r"read (this atmos\.yaml )?last", joined):
        problems.append(f"{what}: --config said to be read last")

for p in problems:
    print(p)
print(f"docs_options: {len(helps)} options in --help; {len(problems)} differences")
sys.exit(1 if problems else 0)
