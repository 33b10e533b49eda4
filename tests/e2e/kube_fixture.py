#!/usr/bin/python3
"""Kubeconfigs for test_kubeconfig.sh, shaped like atmos's writer's output
(client-go's WriteToFile: block style, entries sorted, `- cluster:` first)
with a user's own entries, comments, flow style and CRLF around them.

  kube_fixture.py write FILE VARIANT     the file, and FILE.entries (what each line is)
  kube_fixture.py expect FILE GONE...    FILE minus the lines of the entries GONE
                                         (section/name), current-context cleared when
                                         its context went: on stdout
  kube_fixture.py names FILE             `kubectl config view -o json` on stdin -> a summary
"""
import json
import sys

EKS = "arn:aws:eks:us-east-1:111122223333:cluster/prod"
EKS_EU = "arn:aws:eks:eu-west-1:111122223333:cluster/prod"  # same name, another region
STAGE = "arn:aws:eks:us-west-2:111122223333:cluster/stage"
AKS = ("/subscriptions/5b9f0000-0000-4000-8000-000000000001/resourceGroups/rg1"
       "/providers/Microsoft.ContainerService/managedClusters/aks1")
GKE = "projects/p1/locations/europe-west1/clusters/g1"


def atmos_cluster(name, server):
    return [("clusters", name, ["- cluster:", "    certificate-authority-data: TFMwdExTMUNSVWRKVGc9PQ==",
                                "    server: " + server, "  name: " + name])]


def atmos_context(name, cluster, user):
    return [("contexts", name, ["- context:", "    cluster: " + cluster, "    user: " + user,
                                "  name: " + name])]


def atmos_user(name, args):
    lines = ["- name: " + name, "  user:", "    exec:",
             "      apiVersion: client.authentication.k8s.io/v1beta1", "      args:"]
    lines += ["      - " + a for a in args]
    lines += ["      command: atmos", "      env:", "      - name: ATMOS_IDENTITY",
              "        value: dev-admin", "      interactiveMode: Never", "      provideClusterInfo: false"]
    return [("users", name, lines)]


def default_file():
    """<cfg>/atmos/kube/config: EKS (two of atmos's, one of the user's of the same name), AKS, kind."""
    out = [(None, None, ["# atmos writes this file; the user keeps notes in it too", "apiVersion: v1",
                         "clusters:"])]
    out += atmos_cluster(EKS_EU, "https://eu.example")   # the user's own: another region
    out += [(None, None, ["# kind: local"])]
    out += [("clusters", "kind-kind", ["- {name: kind-kind, cluster: {server: 'https://127.0.0.1:6443'}}"])]
    out += atmos_cluster(AKS, "https://aks1.example")
    out += atmos_cluster(EKS, "https://prod.example")
    out += atmos_cluster(STAGE, "https://stage.example")
    out += [(None, None, ["contexts:"])]
    out += atmos_context(EKS, EKS, "atmos-eks-prod-us-east-1")
    out += atmos_context("aks", AKS, "atmos-aks-aks1-rg1-5b9f0000-0000-4000-8000-000000000001")
    out += atmos_context("eu-prod", EKS_EU, "eu-admin")
    out += [("contexts", "kind-kind", ["- context: {cluster: kind-kind, user: kind-kind}  # kind's",
                                       "  name: kind-kind"])]
    out += atmos_context("stage", STAGE, "atmos-eks-stage-us-west-2")
    out += [("current", None, ["current-context: stage"]), (None, None, ["kind: Config", "preferences: {}", "users:"])]
    out += atmos_user("atmos-aks-aks1-rg1-5b9f0000-0000-4000-8000-000000000001", ["aks", "token"])
    out += atmos_user("atmos-eks-prod-us-east-1", ["eks", "token", "--cluster-name", "prod"])
    out += atmos_user("atmos-eks-stage-us-west-2", ["eks", "token", "--cluster-name", "stage"])
    out += [("users", "eu-admin", ["- name: eu-admin", "  user:", "    token: not-atmos  # mine"])]
    out += [("users", "kind-kind", ["- name: kind-kind", "  user: {client-certificate-data: Zm9v}"])]
    return out


def user_file():
    """~/.kube/config named by spec.cluster.kubeconfig.path: GKE's entries among the user's own."""
    out = [(None, None, ["apiVersion: v1", "clusters:", "  # indented lists, as some tools write them"])]
    out += [("clusters", "minikube", ["  - cluster:", "      server: https://192.168.49.2:8443",
                                      "    name: minikube"])]
    out += [("clusters", GKE, ["  - name: " + GKE, "    cluster:", "      server: https://g1.example"])]
    out += [(None, None, ["contexts:"])]
    out += [("contexts", "g1", ["  - name: g1", "    context:", "      cluster: " + GKE,
                                "      user: atmos-gke-g1-p1-europe-west1"])]
    out += [("contexts", "minikube", ["  - name: minikube", "    context: {cluster: minikube, user: minikube}"])]
    out += [("current", None, ["current-context: \"g1\""]), (None, None, ["kind: Config", "users:"])]
    out += [("users", "atmos-gke-g1-p1-europe-west1", ["  - name: atmos-gke-g1-p1-europe-west1",
                                                       "    user: {exec: {command: atmos, apiVersion: client.authentication.k8s.io/v1beta1}}"])]
    out += [("users", "minikube", ["  - name: minikube", "    user: {token: t}"])]
    return out


def only_gke():
    out = [(None, None, ["apiVersion: v1", "clusters:"])]
    out += atmos_cluster(GKE, "https://g1.example")
    out += [(None, None, ["contexts:"])]
    out += atmos_context("g1", GKE, "atmos-gke-g1-p1-europe-west1")
    out += [("current", None, ["current-context: g1"]), (None, None, ["kind: Config", "preferences: {}", "users:"])]
    out += atmos_user("atmos-gke-g1-p1-europe-west1", ["gke", "token"])
    return out


VARIANTS = {"default": (default_file, "\n"), "default-crlf": (default_file, "\r\n"),
            "user": (user_file, "\r\n"), "only-gke": (only_gke, "\n")}


def write(path, variant):
    make, eol = VARIANTS[variant]
    tagged = []
    for sec, name, lines in make():
        tagged += [(sec, name, l) for l in lines]
    with open(path, "w", newline="") as f:
        f.write("".join(l + eol for _, _, l in tagged))
    with open(path + ".entries", "w") as f:
        json.dump({"eol": eol, "lines": tagged}, f)


def expect(path, gone):
    with open(path + ".entries") as f:
        d = json.load(f)
    gone = {tuple(g.split("/", 1)) for g in gone}
    ctxs = {n for s, n in gone if s == "contexts"}
    out = []
    for sec, name, line in d["lines"]:
        if (sec, name) in gone:
            continue
        if sec == "current" and line.split(":", 1)[1].strip().strip('"') in ctxs:
            line = 'current-context: ""'
        out.append(line + d["eol"])
    sys.stdout.write("".join(out))


def names():
    v = json.load(sys.stdin)
    for sec, key in (("clusters", "clusters"), ("contexts", "contexts"), ("users", "users")):
        print(sec + ": " + " ".join(sorted(e["name"] for e in (v.get(key) or []))))
    print("current-context: " + v.get("current-context", ""))


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "write":
        write(sys.argv[2], sys.argv[3])
    elif cmd == "expect":
        expect(sys.argv[2], sys.argv[3:])
    elif cmd == "names":
        names()
