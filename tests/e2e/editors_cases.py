#!/usr/bin/python3
"""The generated files of test_editors_diff.sh: kubeconfigs, docker configs and
MSAL caches holding atmos's entries among a user's own, in the shapes of
issue 37 (names holding NULs, what each tool refuses, entries of every size)
and in seeded random mixes of them.

Each case is (name, bytes, expect); expect is what atmos must do:
  "edit"     the tool takes the file: only atmos's entries may go;
  "tool"     the tool refuses the file: it must stay byte for byte, reported;
  "rewrite"  the tool takes it and byte ranges cannot cut it (flow style,
             anchors, ...): written whole again, only atmos's entries gone
             from the tool's view, and the report says its comments went;
  "refuse"   the tool takes it but atmos's own entry exceeds a documented
             bound: it must stay byte for byte, reported.
Whether "tool" is right is the tool's own verdict, judged again by the runner.
"""
import base64
import json
import random

EKS = "arn:aws:eks:us-east-1:111122223333:cluster/prod"
EKS_USER = "atmos-eks-prod-us-east-1"
ECR = "111111111111.dkr.ecr.us-east-1.amazonaws.com"
ALICE = "O1.T1"  # the account atmos logged in (etc/examples/populate-clouds.py)
ENV = "login.microsoftonline.com"
AZ_CLIENT = "04b07795-8ddb-461a-bbee-02f9e1bf7b46"


# --- kubeconfigs -------------------------------------------------------------

def k_cluster(name, server="https://x.example", ind=""):
    return [ind + "- cluster:", ind + "    server: " + server, ind + "  name: " + name]


def k_context(name, cluster, user, ind=""):
    return [ind + "- context:", ind + "    cluster: " + cluster, ind + "    user: " + user,
            ind + "  name: " + name]


def k_user(name, token=None, ind=""):
    if token:
        return [ind + "- name: " + name, ind + "  user:", ind + "    token: " + token]
    return [ind + "- name: " + name, ind + "  user:", ind + "    exec:",
            ind + "      apiVersion: client.authentication.k8s.io/v1beta1",
            ind + "      command: atmos", ind + "      args: [eks, token]"]


def kubeconfig(clusters, contexts, users, current=None, head=(), tail=(), eol="\n", bom=False):
    lines = list(head) + ["apiVersion: v1", "clusters:"] + clusters + ["contexts:"] + contexts
    if current is not None:
        lines.append("current-context: " + current)
    lines += ["kind: Config", "users:"] + users + list(tail)
    return (b"\xef\xbb\xbf" if bom else b"") + (eol.join(lines) + eol).encode()


def atmos_kube(ind=""):
    return (k_cluster(EKS, "https://prod.example", ind), k_context(EKS, EKS, EKS_USER, ind),
            k_user(EKS_USER, None, ind))


def kube_cases(rng):
    ac, ax, au = atmos_kube()
    mine_c, mine_x, mine_u = k_cluster("kind-kind"), k_context("kind", "kind-kind", "me"), \
        k_user("me", "t0k")
    out = [
        ("only atmos's entries", kubeconfig(ac, ax, au, EKS), "edit"),
        ("atmos's among the user's", kubeconfig(mine_c + ac, ax + mine_x, au + mine_u, "kind"), "edit"),
        ("current-context atmos's", kubeconfig(ac + mine_c, mine_x + ax, mine_u + au, EKS), "edit"),
        ("CRLF and BOM", kubeconfig(ac + mine_c, ax + mine_x, au + mine_u, "kind", eol="\r\n",
                                     bom=True), "edit"),
        ("comments everywhere", kubeconfig(["# c"] + ac + ["  # mid"] + mine_c, ax + ["# x"] + mine_x,
                                           au + mine_u + ["# end"], "kind  # cur", head=["# top"]),
         "edit"),
        ("unicode names", kubeconfig(mine_c + k_cluster('"ünï ✓"') + ac, ax, au + k_user('"çà"', "x"),
                                     None), "edit"),
        ("indented lists", kubeconfig(k_cluster("m", ind="  ") + atmos_kube("  ")[0],
                                      atmos_kube("  ")[1], atmos_kube("  ")[2] + k_user("nn", "t", "  ")),
         "edit"),
        ("another context names atmos's cluster and user",
         kubeconfig(ac, ax + k_context("mine", EKS, EKS_USER), au, "mine"), "edit"),
        ("a user name with a NUL after atmos's",
         kubeconfig(ac, ax, au + k_user('"%s\\0evil"' % EKS_USER, "keep"), None), "edit"),
        ("a cluster name with a NUL after atmos's",
         kubeconfig(ac + k_cluster('"%s\\0x"' % EKS), ax, au, None), "edit"),
        ("escaped spelling of atmos's names",
         kubeconfig(k_cluster('"%s"' % EKS.replace("a", "\\x61")), ax, k_user('"atmos-\\u0065ks-prod-us-east-1"'),
                    None), "edit"),
        ("3000 clusters", kubeconfig(sum((k_cluster("c%d" % i) for i in range(3000)), []) + ac, ax,
                                     au, None), "edit"),
        ("preferences and extensions kept",
         kubeconfig(ac + mine_c, ax, au, None, tail=["preferences: {colors: true}"]), "edit"),
        ("only atmos's entries and preferences", kubeconfig(ac, ax, au, EKS, tail=["preferences: {colors: true}"]),
         "edit"),
        ("only atmos's entries and extensions",
         kubeconfig(ac, ax, au, EKS, tail=["extensions:", "- name: e", "  extension: {a: b}"]), "edit"),
        # What kubectl refuses (its verdict is checked too).
        ("duplicate cluster names", kubeconfig(ac + k_cluster(EKS, "https://mine"), ax, au, None), "tool"),
        ("duplicate user names", kubeconfig(ac, ax, au + k_user(EKS_USER, "mine"), None), "tool"),
        ("duplicate context names", kubeconfig(ac, ax + k_context(EKS, "kind", "me"), au + mine_u,
                                               None), "tool"),
        ("two nameless users", kubeconfig(ac, ax, au + ["- user: {}", "- user: {token: t}"], None), "tool"),
        ("current-context: yes", kubeconfig(ac, ax, au, "yes"), "tool"),
        ("current-context: 5", kubeconfig(ac, ax, au, "5"), "tool"),
        ("a context name that is a list", kubeconfig(ac, ax + ["- name: [a]", "  context: {cluster: c}"],
                                                     au, None), "tool"),
        ("a user name 0x1F", kubeconfig(ac, ax, au + k_user("0x1F", "t"), None), "tool"),
        ("an entry that is a string", kubeconfig(ac + ["- just-a-string"], ax, au, None), "tool"),
        ("a user's token a number", kubeconfig(ac, ax, au + ["- name: me", "  user: {token: 12345}"], None),
         "tool"),
        ("an exec arg a number", kubeconfig(ac, ax, au + ["- name: me", "  user: {exec: {args: [a, 5]}}"], None),
         "tool"),
        ("provideClusterInfo a string", kubeconfig(ac, ax, au + [
            "- name: me", "  user: {exec: {provideClusterInfo: maybe}}"], None), "tool"),
        ("certificate-authority-data not base64", kubeconfig(ac + ["- name: m", "  cluster:",
                                                                   "    certificate-authority-data: '!!'"],
                                                              ax, au, None), "tool"),
        ("preferences colors a number", kubeconfig(ac, ax, au, None, tail=["preferences: {colors: 5}"]), "tool"),
        ("a NaN in a field kubectl does not read", kubeconfig(ac, ax, au, None, tail=["x-mine: {a: .nan}"]),
         "tool"),
        ("fields kubectl does not read, bools where they go",
         kubeconfig(ac + ["- name: m", "  cluster: {insecure-skip-tls-verify: yes, foo: 5, x: [1, true]}"], ax,
                    au + ["- name: me", "  user: {exec: {provideClusterInfo: false, env: [{name: A, value: b}]}}"],
                    None, tail=["x-mine: 5"]), "edit"),
        ("clusters: 5", b"apiVersion: v1\nclusters: 5\nusers:\n" + "\n".join(au).encode() + b"\n", "tool"),
        # What kubectl takes and byte ranges cannot cut: the whole file written again (formats/kubenorm.c).
        ("flow style document", ('{apiVersion: v1, clusters: [{name: "%s", cluster: {server: s}}], '
                                 'contexts: [], users: []}\n' % EKS).encode(), "rewrite"),
        ("anchors and aliases", kubeconfig(ac + ["- name: a", "  cluster: &s {server: s}",
                                                 "- name: b", "  cluster: *s"], ax, au, None), "rewrite"),
        ("!!str tags", kubeconfig(ac, ax, au + ["- name: !!str 5", "  user: {token: !!str 12345}",
                                                 "- name: !!str ~", "  user: {}"], "!!str yes"), "edit"),
        ("atmos's names as !!str", kubeconfig(["- name: !!str " + EKS, "  cluster: {server: s}"], ax,
                                               ["- name: !!str " + EKS_USER, "  user: {}"], EKS), "edit"),
        ("a !!str bool", kubeconfig(ac + ["- name: m", "  cluster: {insecure-skip-tls-verify: !!str true}"], ax,
                                    au, None), "tool"),
        ("a custom tag", kubeconfig(ac, ax, au + ["- name: !mine x", "  user: {}"], None), "rewrite"),
        ("two documents", kubeconfig(ac, ax, au, None) + b"---\n", "rewrite"),
        ("a flow item in a block list", kubeconfig(ac, ax, ["- {name: %s, user: {}}" % EKS_USER], None),
         "edit"),
        ("a flow section", kubeconfig(ac, ax, [], None).replace(b"users:\n", b"users: [{name: %s}]\n" % EKS_USER.encode()),
         "rewrite"),
        ("merge keys in the user's entry",
         kubeconfig(ac + ["- name: m", "  cluster:", "    <<: {server: s}"], ax, au, None), "edit"),
        ("a merge key bringing a name", kubeconfig(ac + ["- <<: {name: mine}", "  cluster: {server: s}"], ax,
                                                     au, None), "rewrite"),
        ("a key twice in an entry", kubeconfig(ac, ax, au + ["- name: xx", "  name: yy", "  user: {}"], None),
         "edit"),
        ("atmos's user name, then the user's", kubeconfig(ac, ax, ["- name: %s" % EKS_USER, "  name: mine",
                                                                   "  user: {token: t}"], None), "edit"),
        ("the user's name, then atmos's", kubeconfig(ac, ax, ["- name: mine", "  name: %s" % EKS_USER,
                                                              "  user: {token: t}"], None), "edit"),
        ("atmos's context replaced by a second context key",
         kubeconfig(ac, [ax[0], ax[1], ax[2], ax[3], "  context: {cluster: %s, user: me}" % EKS], au, None), "edit"),
        ("a second context key naming atmos's",
         kubeconfig(ac, ["- name: " + EKS, "  context: {cluster: xx, user: yy}",
                         "  context: {cluster: %s, user: %s}" % (EKS, EKS_USER)], au, EKS), "edit"),
        ("a duplicate top-level key", kubeconfig(ac, ax, au, None, tail=["kind: Config"]), "rewrite"),
        ("atmos's user right after a block scalar",
         kubeconfig(ac, ax, ["- name: me", "  user:", "    token: |", "      t0k"] + au, None), "rewrite"),
        # More of what only the whole rewrite edits, atmos's entries inside those shapes.
        ("an anchor in atmos's cluster aliased by the user's",
         kubeconfig(["- name: " + EKS, "  cluster: &p {server: https://prod.example}", "- name: mine",
                     "  cluster: *p"], ax, au, None), "rewrite"),
        ("atmos's name through an alias", kubeconfig(["- name: &n " + EKS, "  cluster: {server: s}"],
                                                      ["- name: " + EKS, "  context: {cluster: *n, user: %s}"
                                                       % EKS_USER], au, EKS), "rewrite"),
        ("a merge key bringing atmos's name", kubeconfig(["- <<: {name: %s}" % EKS, "  cluster: {server: s}"]
                                                         + mine_c, ax, au + mine_u, None), "rewrite"),
        ("a merge key after the name wins", kubeconfig(["- name: mine", "  <<: {name: %s}" % EKS,
                                                        "  cluster: {server: s}"], ax, au, None), "rewrite"),
        ("a merge list, the first wins", kubeconfig(["- <<: [{name: %s}, {name: other}]" % EKS,
                                                     "  cluster: {server: s}"], ax, au, None), "rewrite"),
        ("merge keys from anchors", b"base: &b {server: https://prod.example}\n" +
         kubeconfig(["- name: " + EKS, "  cluster: {<<: *b}", "- name: mine", "  cluster:", "    <<: *b",
                     "    server: https://mine"], ax, au, None), "rewrite"),
        ("a second document, another config", kubeconfig(ac + mine_c, ax, au, None) + b"---\n" +
         kubeconfig(mine_c, mine_x, mine_u, "kind"), "rewrite"),
        ("a second document that is not YAML", kubeconfig(ac, ax, au + mine_u, None) + b"---\nclusters: [\n",
         "rewrite"),
        ("users twice at the top, atmos's in the first (the last is read)",
         kubeconfig(ac, ax, au, None, tail=["users:"] + mine_u), "rewrite"),
        ("users twice at the top, atmos's in the last",
         kubeconfig(ac, ax, mine_u, None, tail=["users:"] + au), "rewrite"),
        ("a flow document with comments", ('# mine\n{apiVersion: v1,  # v\n clusters: [{name: "%s", '
                                           'cluster: {server: s}}, {name: m, cluster: {server: t}}],\n'
                                           ' contexts: [{name: "%s", context: {cluster: "%s", user: %s}}],\n'
                                           ' users: [{name: %s, user: {}}, {name: me, user: {token: t}}],\n'
                                           ' current-context: "%s"}  # end\n'
                                           % (EKS, EKS, EKS, EKS_USER, EKS_USER, EKS)).encode(), "rewrite"),
        ("a flow document of only atmos's entries",
         ('{clusters: [{name: "%s", cluster: {server: s}}], contexts: [{name: "%s", context: {cluster: "%s", '
          'user: %s}}], users: [{name: %s, user: {}}], current-context: "%s"}\n'
          % (EKS, EKS, EKS, EKS_USER, EKS_USER, EKS)).encode(), "rewrite"),
        ("a flow document of 3000 clusters",
         ("{clusters: [%s], users: [{name: %s}]}\n" % (", ".join(
             ["{name: c%d, cluster: {server: 's%d'}}" % (i, i) for i in range(3000)] +
             ['{name: "%s", cluster: {server: s}}' % EKS]), EKS_USER)).encode(), "rewrite"),
        ("atmos's entries in flow sections among the user's",
         kubeconfig(ac + ["- name: mine", "  cluster: {server: s}"], ax, [], "kind").replace(
             b"users:\n", b"users: [{name: me, user: {token: t}}, {name: %s, user: {}}]\n" % EKS_USER.encode()),
         "rewrite"),
        ("current-context a block scalar naming atmos's context",
         kubeconfig(ac, ax, au, "|-\n  " + EKS), "rewrite"),
        ("a |+ block scalar before atmos's user",
         kubeconfig(ac, ax, ["- name: me", "  user:", "    token: |+", "      t0k", ""] + au, None), "rewrite"),
        ("a lone CR between comments", kubeconfig(ac + mine_c, ax, au, None, head=["# a\r# b"]), "rewrite"),
        ("a merge key bringing a number where a string goes",
         kubeconfig(ac + ["- name: m", "  cluster: {<<: {server: 5}}"], ax, au, None), "tool"),
        ("the ! and a local tag on atmos's names",
         kubeconfig(["- name: ! " + EKS, "  cluster: !mine {server: s}"], ax, ["- name: !me " + EKS_USER,
                                                                              "  user: {}"], None), "rewrite"),
        ("tags on lists and mappings", kubeconfig(ac, ax, au, None).replace(b"users:\n", b"users: !!seq\n")
         .replace(b"clusters:\n", b"clusters: !mine\n"), "rewrite"),
        ("strings that look like numbers, bools and nulls in a flow document",
         ('{clusters: [{name: "%s", cluster: {server: s}}, {name: "5", cluster: {server: "yes", '
          'proxy-url: "~", tls-server-name: "0x1F", certificate-authority: "2001-01-01", '
          'insecure-skip-tls-verify: true}}], users: [{name: "%s"}, {name: "null", user: {token: "<<", '
          'username: "-x", password: "a: b #c"}}], x-mine: {a: 5, b: ~, c: 0o17, d: 1e3, "e": "", f: null}}\n'
          % (EKS, EKS_USER)).encode(), "rewrite"),
        # What kubectl refuses, seen only once the whole file is read as it reads it.
        ("an alias of no anchor", kubeconfig(ac, ax, au + ["- name: *nope", "  user: {}"], None), "tool"),
        ("an anchor holding an alias of itself", kubeconfig(ac + ["- name: m", "  cluster: &s {server: s, x: [*s]}"],
                                                            ax, au, None), "tool"),
        ("a merge key of a string", kubeconfig(ac + ["- name: m", "  cluster: {<<: x}"], ax, au, None), "tool"),
        ("a merge key bringing a second cluster of atmos's name",
         kubeconfig(ac + ["- <<: {name: %s}" % EKS, "  cluster: {server: mine}"], ax, au, None), "tool"),
        ("a flow document with two clusters of one name",
         ('{clusters: [{name: "%s", cluster: {server: s}}, {name: "%s"}], users: [{name: %s}]}\n'
          % (EKS, EKS, EKS_USER)).encode(), "tool"),
        ("a key that is a mapping in the user's entry",
         kubeconfig(ac, ax, au + ["- name: me", "  user: {{a: b}: c}"], None), "tool"),
        ("a key that is a list, replaced by the key again",
         kubeconfig(ac, ax, au + ["- name: me", "  user: {[a]: c}", "  user: {}"], None), "tool"),
        ("a null key in the user's entry", kubeconfig(ac, ax, au + ["- name: me", "  user: {~: c}"], None), "tool"),
        ("a null key in a flow document", ('{clusters: [{name: "%s", cluster: {server: s, null: x}}], users: []}\n'
                                          % EKS).encode(), "tool"),
        ("users twice, the first (replaced) with a key that is a mapping",
         kubeconfig(ac, ax, ["- {name: me, {a: b}: c}"], None, tail=["users:"] + au), "tool"),
        ("a merge of a number in a value a later key replaces",
         kubeconfig(ac, ax, au, None, head=["x-mine: {<<: 5}", "x-mine: 1"]), "tool"),
        ("an alias bringing a bool where a string goes",
         kubeconfig(ac, ax, au, "*b", head=["x-mine: &b yes"]), "tool"),
    ]
    # Seeded random mixes: the user's entries around atmos's, in any order and layout.
    for n in range(30):
        ind = rng.choice(["", "  "])
        ac, ax, au = atmos_kube(ind)
        cl = [k_cluster("u%d-%d" % (n, i), ind=ind) for i in range(rng.randint(0, 4))]
        cx = [k_context("x%d-%d" % (n, i), "u%d-0" % n, "me%d" % i, ind) for i in range(rng.randint(0, 3))]
        us = [k_user("me%d" % i, "tok%d" % i, ind) for i in range(rng.randint(0, 3))]
        for lst, mine in ((cl, ac), (cx, ax), (us, au)):
            lst.insert(rng.randint(0, len(lst)), mine)
        if rng.random() < 0.3:
            cl.insert(rng.randint(0, len(cl)), [ind + "# a comment"])
        cur = rng.choice([None, EKS, '"%s"' % EKS, "x%d-0" % n if cx else None])
        out.append(("random mix %d" % n, kubeconfig(sum(cl, []), sum(cx, []), sum(us, []), cur,
                                                     eol=rng.choice(["\n", "\r\n"]),
                                                     bom=rng.random() < 0.2), "edit"))
    return out


# --- docker configs ------------------------------------------------------------

def b64(s):
    return base64.b64encode(s.encode()).decode()


def docker_text(d, indent=None, eol="\n"):
    return json.dumps(d, indent=indent).replace("\n", eol)


def docker_cases(rng):
    ecr = {"auth": b64("AWS:token")}
    # What `aws ecr get-login-password` gives: some 2.5 KB of base64 in the auth.
    real = {"auth": b64("AWS:" + base64.b64encode(bytes(range(256)) * 7).decode())}
    ghcr = {"auth": b64("me:ghcr")}
    big = {"auth": b64("me:big"), "identitytoken": "x" * (1100 * 1024)}
    many = dict({"auth": b64("me:many")}, **{"k%d" % i: "v" for i in range(21000)})
    E = lambda s: s.encode()
    out = [
        ("only ECR", E(docker_text({"auths": {ECR: ecr}})), "edit"),
        ("ECR and ghcr", E(docker_text({"auths": {"ghcr.io": ghcr, ECR: ecr}, "credsStore": ""}, 2)), "edit"),
        ("CRLF pretty", E(docker_text({"auths": {ECR: ecr, "ghcr.io": ghcr}}, 4, "\r\n")), "edit"),
        ("ECR key with a NUL is another registry",
         E('{"auths": {"%s\\u0000evil": %s, "ghcr.io": %s}}' % (ECR, json.dumps(ghcr), json.dumps(ghcr))),
         "edit"),
        ("ECR key escaped", E('{"auths": {"\\u0031%s": %s}}' % (ECR[1:], json.dumps(ecr))), "edit"),
        ("ECR twice", E('{"auths": {"%s": %s, "ghcr.io": {}, "%s": %s}}' % (ECR, json.dumps(ecr), ECR,
                                                                          json.dumps(ecr))), "edit"),
        ("auths twice", E('{"auths": {"%s": %s}, "psFormat": "x", "auths": {"a.io": {}}}' % (
            ECR, json.dumps(ecr))), "edit"),
        ("another registry over 1 MiB", E(docker_text({"auths": {"big.io": big, ECR: ecr}})), "edit"),
        ("another registry of 21000 values", E(docker_text({"auths": {"many.io": many, ECR: ecr}})), "edit"),
        ("ECR over 1 MiB", E(docker_text({"auths": {ECR: dict(ecr, identitytoken="y" * (1100 * 1024))}})),
         "edit"),
        ("ECR under Auths", E('{"Auths": {"%s": %s, "ghcr.io": %s}}' % (ECR, json.dumps(ecr), json.dumps(ghcr))),
         "edit"),
        ("ECR under AUTHS and auths", E('{"AUTHS": {"%s": %s}, "auths": {"%s": %s, "a.io": {}}}' % (
            ECR, json.dumps(ecr), ECR, json.dumps(ecr))), "edit"),
        ("real-sized ECR logins", E(docker_text({"auths": {ECR: real, "222222222222.dkr.ecr.us-east-1.amazonaws.com":
                                                            real}}, 1)), "edit"),
        ("nulls", E('{"auths": {"n.io": null, "%s": %s}, "credsStore": null}' % (ECR, json.dumps(ecr))), "edit"),
        ("auth with newlines", E('{"auths": {"o.io": {"auth": "bWU6\\ncHc="}, "%s": {}}}' % ECR), "edit"),
        ("unicode keys", E(docker_text({"auths": {"é✓.io": ghcr, ECR: ecr}, "psFormat": "ü"}, 1)), "edit"),
        ("every docker field", E(docker_text({
            "auths": {ECR: ecr}, "HttpHeaders": {"a": "b"}, "credHelpers": {"gcr.io": "gcloud"},
            "proxies": {"default": {"httpProxy": "h"}}, "plugins": {"p": {"k": "v"}},
            "pruneFilters": ["a"], "aliases": {"builder": "buildx"}, "features": {"x": "1"},
            "currentContext": "default", "detachKeys": "ctrl-p"}, 2)), "edit"),
        # What docker refuses.
        ("BOM", b"\xef\xbb\xbf" + E(docker_text({"auths": {ECR: ecr}})), "tool"),
        ("ECR value a string", E('{"auths": {"%s": "%s"}}' % (ECR, ecr["auth"])), "tool"),
        ("another auth a number", E('{"auths": {"%s": %s, "o.io": {"auth": 5}}}' % (ECR, json.dumps(ecr))),
         "tool"),
        ("another auth not base64", E('{"auths": {"%s": %s, "o.io": {"auth": "%%%%"}}}' % (
            ECR, json.dumps(ecr))), "tool"),
        ("another auth without a colon", E('{"auths": {"%s": {}, "o.io": {"auth": "%s"}}}' % (ECR, b64("me"))),
         "tool"),
        ("psFormat an object", E('{"auths": {"%s": {}}, "psFormat": {}}' % ECR), "tool"),
        ("Auths a list", E('{"Auths": [], "auths": {"%s": {}}}' % ECR), "tool"),
        ("a proxy field a number", E('{"auths": {"%s": {}}, "proxies": {"d": {"noProxy": 1}}}' % ECR), "tool"),
        ("top level a list", E('[{"auths": {"%s": {}}}]' % ECR), "tool"),
    ]
    for n in range(35):
        auths = {"r%d-%d.io" % (n, i): {"auth": b64("u%d:p" % i)} for i in range(rng.randint(0, 5))}
        items = list(auths.items())
        items.insert(rng.randint(0, len(items)), (ECR, ecr))
        d = {"auths": dict(items)}
        if rng.random() < 0.5:
            d["credsStore"] = rng.choice(["", "desktop", "pass"])
        if rng.random() < 0.3:
            d["psFormat"] = "table {{.ID}}"
        out.append(("random mix %d" % n, E(docker_text(d, rng.choice([None, 1, 2, 4]),
                                                        rng.choice(["\n", "\r\n"]))), "edit"))
    return out


# --- MSAL caches ---------------------------------------------------------------

def msal_user(hid, tenant, secret):
    common = {"home_account_id": hid, "environment": ENV, "client_id": AZ_CLIENT}
    return {
        "AccessToken": {"%s-%s-accesstoken-%s-%s-x" % (hid, ENV, AZ_CLIENT, tenant):
                        dict(common, credential_type="AccessToken", secret=secret, realm=tenant)},
        "RefreshToken": {"%s-%s-refreshtoken-%s--" % (hid, ENV, AZ_CLIENT):
                         dict(common, credential_type="RefreshToken", secret="rt" + secret)},
        "IdToken": {"%s-%s-idtoken-%s-%s-" % (hid, ENV, AZ_CLIENT, tenant):
                    dict(common, credential_type="IdToken", secret="id" + secret, realm=tenant)},
        "Account": {"%s-%s-%s" % (hid, ENV, tenant): {"home_account_id": hid, "environment": ENV,
                                                      "realm": tenant, "username": hid + "@x"}},
    }


def merge(*caches):
    out = {}
    for c in caches:
        for k, v in c.items():
            out.setdefault(k, {}).update(v)
    return out


def msal_cases(rng):
    alice, bob = msal_user(ALICE, "T1", "a"), msal_user("O9.T9", "T9", "b")
    E = lambda d, ind=None: json.dumps(d, indent=ind).encode()
    nul = msal_user(ALICE + "\u0000x", "T1", "n")
    big = merge(alice, bob)
    big["AccessToken"]["O9.T9-big"] = dict(home_account_id="O9.T9", secret="s" * (1100 * 1024))
    many = merge(alice, bob)
    many["Account"]["O9.T9-many"] = dict({"home_account_id": "O9.T9"}, **{"k%d" % i: i for i in range(21000)})
    own = merge(alice, bob)
    own["Account"]["O1-many"] = dict({"home_account_id": ALICE}, **{"k%d" % i: i for i in range(21000)})
    out = [
        ("alice only", E(alice), "edit"),
        ("alice and bob", E(merge(alice, bob), 2), "edit"),
        ("bob only", E(bob, 4), "edit"),
        ("AppMetadata and extra keys", E(dict(merge(bob, alice), AppMetadata={"appmetadata-x": {
            "client_id": AZ_CLIENT, "environment": ENV}}, Other={"k": 1})), "edit"),
        ("home_account_id with a NUL is not alice", E(merge(nul, bob)), "edit"),
        ("home_account_id escaped", E(alice).replace(b'"home_account_id": "O1', b'"home_account_id": "\\u004f1'),
         "edit"),
        ("bob's entry over 1 MiB", E(big), "edit"),
        ("bob's entry of 21000 values", E(many), "edit"),
        ("alice's entry of 21000 values", E(own), "edit"),
        ("CRLF", E(merge(alice, bob), 2).replace(b"\n", b"\r\n"), "edit"),
        ("unicode", E(merge(alice, msal_user("Ü✓.T9", "T9", "ü")), 1), "edit"),
        ("an empty list entry", E(dict(merge(alice, bob), Account=dict(merge(alice, bob)["Account"], e=[]))),
         "edit"),
        ("bob's copy before alice's of one name", ('{"Account": {"k": {"home_account_id": "O9.T9"}, '
                                                   '"k": {"home_account_id": "%s"}}}' % ALICE).encode(), "edit"),
        ("alice's copy before bob's of one name", ('{"Account": {"k": {"home_account_id": "%s"}, '
                                                   '"k": {"home_account_id": "O9.T9"}}}' % ALICE).encode(), "edit"),
        # What MSAL refuses.
        ("BOM", b"\xef\xbb\xbf" + E(merge(alice, bob)), "tool"),
        ("a string entry", E(dict(alice, Account=dict(alice["Account"], s="x"))), "tool"),
        ("RefreshToken null", E(dict(alice, RefreshToken=None)), "tool"),
        ("a number entry", E(dict(alice, IdToken=dict(alice["IdToken"], n=5))), "tool"),
        ("AppMetadata a list", E(dict(alice, AppMetadata=[])), "tool"),
        ("top level a list", b"[" + E(alice) + b"]", "tool"),
    ]
    for n in range(35):
        users = [msal_user("O%d.T%d" % (n * 10 + i, i), "T%d" % i, "s%d" % i) for i in range(rng.randint(0, 4))]
        users.insert(rng.randint(0, len(users)), alice)
        d = merge(*users)
        out.append(("random mix %d" % n, E(d, rng.choice([None, 1, 2])), "edit"))
    return out


def all_cases(seed=37):
    rng = random.Random(seed)
    return {"kube": kube_cases(rng), "docker": docker_cases(rng), "msal": msal_cases(rng)}
