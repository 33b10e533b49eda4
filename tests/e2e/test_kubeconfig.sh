#!/bin/bash
# The kubeconfig entries of aws/eks, azure/aks and gcp/gke logins: every
# scope, dry run, the JSON report, already logged out, a file refused, a lock
# held.  Fixtures are shaped like atmos's writer's output (client-go's) with a
# user's own entries around them; the real kubectl judges every result, and
# the bytes outside the removed entries must be exactly the fixture's.
source "$(dirname "$0")/lib.sh"

FIX=$ROOT/tests/e2e/kube_fixture.py
if ! command -v kubectl >/dev/null; then
    skip "kubeconfig entries" "no kubectl (make deps installs Debian's kubernetes-client)"
    exit 0
fi
unset DBUS_SESSION_BUS_ADDRESS KUBECONFIG
export XDG_RUNTIME_DIR=$TMPROOT/run
mkdir -p "$XDG_RUNTIME_DIR"

EKS=users/atmos-eks-prod-us-east-1
EKS_GONE=("clusters/arn:aws:eks:us-east-1:111122223333:cluster/prod"
    "contexts/arn:aws:eks:us-east-1:111122223333:cluster/prod" "$EKS")
STAGE_GONE=("clusters/arn:aws:eks:us-west-2:111122223333:cluster/stage" contexts/stage users/atmos-eks-stage-us-west-2)
AKS_GONE=("clusters/$("$PY" -c 'import sys; sys.path.insert(0, sys.argv[1]); import kube_fixture as k; print(k.AKS)' "$ROOT/tests/e2e")"
    contexts/aks users/atmos-aks-aks1-rg1-5b9f0000-0000-4000-8000-000000000001)
GKE_GONE=(clusters/projects/p1/locations/europe-west1/clusters/g1 contexts/g1 users/atmos-gke-g1-p1-europe-west1)

# home VARIANT [USER_VARIANT]: a fresh HOME with atmos's kubeconfig (and the user's ~/.kube/config).
home() {
    H=$(mktemp -d "$TMPROOT/home.XXXXXX"); export HOME=$H; cd "$H" || exit 1
    mkdir -p "$H/.config/atmos/kube" "$H/.kube"
    K=$H/.config/atmos/kube/config; U=$H/.kube/config
    "$PY" "$FIX" write "$K" "$1"
    [ -n "${2:-}" ] && "$PY" "$FIX" write "$U" "$2"
    mv "$K.entries" "$TMPROOT/k.entries"; [ -e "$U.entries" ] && mv "$U.entries" "$TMPROOT/u.entries"
    chmod 600 "$K" "$U" 2>/dev/null
    cat >"$H/atmos.yaml" <<YAML
auth:
  providers:
    aws-sso: {kind: aws/iam-identity-center, region: us-east-1, start_url: "https://example-org.awsapps.com/start"}
    azure-dc: {kind: azure/device-code, spec: {tenant_id: T1}}
    gcp-adc: {kind: gcp/adc}
  identities:
    dev-admin: {kind: aws/permission-set, via: {provider: aws-sso}}
    ops: {kind: aws/permission-set, via: {provider: aws-sso}}
    az-sub: {kind: azure/subscription, via: {provider: azure-dc}, principal: {subscription_id: S1}}
    gcp-sa: {kind: gcp/service-account, via: {provider: gcp-adc}}
  integrations:
    eks: {kind: aws/eks, via: {identity: dev-admin}, spec: {cluster: {name: prod, region: us-east-1}}}
    eks-stage: {kind: aws/eks, via: {provider: aws-sso}, spec: {cluster: {name: stage, region: us-west-2, alias: stage}}}
    aks: {kind: azure/aks, via: {identity: az-sub}, spec: {cluster: {name: aks1, resource_group: rg1, alias: aks}}}
    gke:
      kind: gcp/gke
      via: {identity: gcp-sa}
      spec: {cluster: {name: g1, project_id: p1, location: europe-west1, alias: g1, kubeconfig: {path: $U}}}
YAML
}
go() { run_raw --config "$H/atmos.yaml" "$@"; }
# expected FILE ENTRIES GONE...: the fixture without the lines of GONE, built from what each line is.
expected() { local f=$1 e=$2; shift 2; cp "$e" "$f.entries"; "$PY" "$FIX" expect "$f" "$@"; rm -f "$f.entries"; }
# same_bytes FILE ENTRIES GONE...: FILE is exactly that.
same_bytes() { local f=$1; shift; cmp -s "$f" <(expected "$f" "$@"); }
# kube_sees FILE "clusters: ..." ...: what kubectl reads from FILE (sorted names per section).
kube_sees() {
    local f=$1 got; shift
    got=$(kubectl --kubeconfig "$f" config view -o json | "$PY" "$FIX" names) || return 1
    [ "$got" = "$(printf '%s\n' "$@")" ] || { echo "#   kubectl sees: $got" | tr '\n' ' '; echo; return 1; }
}
kube_names() { kubectl --kubeconfig "$1" config view -o json | "$PY" "$FIX" names; }
# The summary kubectl would show for the fixture minus GONE (the fixture's own names, judged by kubectl).
kube_expected() { local f=$1 e=$2; shift 2; expected "$f" "$e" "$@" >"$TMPROOT/want.yaml"; kube_names "$TMPROOT/want.yaml"; }
kube_as_expected() { [ "$(kube_names "$1")" = "$(kube_expected "$@")" ]; }

begin "identity: its EKS cluster and the one via its root provider go; the rest byte for byte"
home default-crlf; orig=$(kube_names "$K")
go dev-admin
check "exit 0" rc_is 0
check "reported" has "$OUT" "Removed kubeconfig entries: cluster prod (integration eks) (3 entries) in ~/.config/atmos/kube/config"
check "and stage's" has "$OUT" "kubeconfig entries: cluster stage (integration eks-stage) (3 entries)"
check "bytes outside the entries unchanged (CRLF)" same_bytes "$K" "$TMPROOT/k.entries" "${EKS_GONE[@]}" "${STAGE_GONE[@]}"
check "kubectl: exactly the rest" kube_sees "$K" \
    "clusters: /subscriptions/5b9f0000-0000-4000-8000-000000000001/resourceGroups/rg1/providers/Microsoft.ContainerService/managedClusters/aks1 arn:aws:eks:eu-west-1:111122223333:cluster/prod kind-kind" \
    "contexts: aks eu-prod kind-kind" \
    "users: atmos-aks-aks1-rg1-5b9f0000-0000-4000-8000-000000000001 eu-admin kind-kind" \
    "current-context: "
check "the fixture had them" has "$orig" "arn:aws:eks:us-east-1:111122223333:cluster/prod"
check "mode kept" [ "$(stat -c %a "$K")" = 600 ]
check "no lock left" missing "$K.lock"
end

begin "identity via the provider only: that cluster alone; current-context cleared"
home default
go ops
check "exit 0" rc_is 0
check "bytes" same_bytes "$K" "$TMPROOT/k.entries" "${STAGE_GONE[@]}"
check "kubectl" kube_sees "$K" \
    "clusters: /subscriptions/5b9f0000-0000-4000-8000-000000000001/resourceGroups/rg1/providers/Microsoft.ContainerService/managedClusters/aks1 arn:aws:eks:eu-west-1:111122223333:cluster/prod arn:aws:eks:us-east-1:111122223333:cluster/prod kind-kind" \
    "contexts: aks arn:aws:eks:us-east-1:111122223333:cluster/prod eu-prod kind-kind" \
    "users: atmos-aks-aks1-rg1-5b9f0000-0000-4000-8000-000000000001 atmos-eks-prod-us-east-1 eu-admin kind-kind" \
    "current-context: "
end

begin "provider: both EKS clusters; Azure identity: its AKS cluster (subscription in the user name)"
home default
go --provider aws-sso
check "exit 0" rc_is 0
check "bytes" same_bytes "$K" "$TMPROOT/k.entries" "${EKS_GONE[@]}" "${STAGE_GONE[@]}"
check "kubectl" kube_as_expected "$K" "$TMPROOT/k.entries" "${EKS_GONE[@]}" "${STAGE_GONE[@]}"
go az-sub
check "exit 0 (az)" rc_is 0
check "bytes (az)" same_bytes "$K" "$TMPROOT/k.entries" "${EKS_GONE[@]}" "${STAGE_GONE[@]}" "${AKS_GONE[@]}"
check "kubectl (az)" kube_sees "$K" "clusters: arn:aws:eks:eu-west-1:111122223333:cluster/prod kind-kind" \
    "contexts: eu-prod kind-kind" "users: eu-admin kind-kind" "current-context: "
end

begin "--all: both files; the user's ~/.kube/config keeps its own (indented, CRLF, current-context quoted)"
home default user
go --all
check "exit 0" rc_is 0
check "atmos's file" same_bytes "$K" "$TMPROOT/k.entries" "${EKS_GONE[@]}" "${STAGE_GONE[@]}" "${AKS_GONE[@]}"
check "the user's file" same_bytes "$U" "$TMPROOT/u.entries" "${GKE_GONE[@]}"
check "kubectl (user's)" kube_sees "$U" "clusters: minikube" "contexts: minikube" "users: minikube" "current-context: "
check "reported" has "$OUT" "kubeconfig entries: cluster g1 (integration gke) (3 entries) in ~/.kube/config"
go --all
check "again: exit 0" rc_is 0
check "again: nothing of it" hasnt "$OUT" "kubeconfig entries"
end

begin "nothing left: the file is deleted, as atmos does"
home default only-gke
go gcp-sa
check "exit 0" rc_is 0
check "file deleted" missing "$U"
check "reported" has "$OUT" "(3 entries) in ~/.kube/config (file deleted)"
home default only-gke
go gcp-sa -o json
check "json: file_removed" "$PY" -c '
import json, sys
items = [i for i in json.loads(sys.argv[1])["items"] if i["kind"] == "kubeconfig_entries"]
assert [(i["status"], i["entries"], i["file_removed"]) for i in items] == [("removed", 3, True)], items
' "$OUT"
check "json: file deleted" missing "$U"
check "atmos's own file untouched" same_bytes "$K" "$TMPROOT/k.entries"
end

begin "dry run: listed, nothing changed; the JSON report"
home default user; before=$(snapshot "$H")
go --dry-run --all
check "exit 0" rc_is 0
check "unchanged" [ "$before" = "$(snapshot "$H")" ]
check "listed" has "$OUT" "kubeconfig entries: cluster prod (integration eks) (3 entries) in ~/.config/atmos/kube/config"
go --dry-run -o json dev-admin
check "json exit 0" rc_is 0
check "json item" "$PY" -c '
import json, sys
items = [i for i in json.loads(sys.argv[1])["items"] if i["kind"] == "kubeconfig_entries"]
assert sorted((i["what"], i["entries"], i["status"], i["cloud"]) for i in items) == [
    ("cluster prod (integration eks)", 3, "would_remove", "kubernetes"),
    ("cluster stage (integration eks-stage)", 3, "would_remove", "kubernetes")], items
' "$OUT"
check "still unchanged" [ "$before" = "$(snapshot "$H")" ]
end

begin "a shape byte ranges cannot cut (a flow list) is written whole as kubectl reads it, and said so"
home default
printf '# mine\napiVersion: v1\nclusters: [{name: "arn:aws:eks:us-east-1:111122223333:cluster/prod", cluster: {server: s}}, {name: m, cluster: {server: t}}]\ncontexts: []\nusers:\n- name: atmos-eks-prod-us-east-1\n' >"$K"
before=$(sha256sum <"$K")
go --dry-run dev-admin
check "dry run: exit 0" rc_is 0
check "dry run: says it would be rewritten" has "$OUT" "(2 entries) in ~/.config/atmos/kube/config (would be rewritten whole: its comments would not be kept)"
check "dry run: unchanged" [ "$before" = "$(sha256sum <"$K")" ]
go -o json dev-admin
check "exit 0" rc_is 0
check "json: rewritten" "$PY" -c '
import json, sys
items = [i for i in json.loads(sys.argv[1])["items"] if i["kind"] == "kubeconfig_entries"]
assert sorted((i["what"], i["status"], i["entries"], i["file_removed"], i["rewritten"]) for i in items) == [
    ("cluster prod (integration eks)", "removed", 2, False, True),
    ("cluster stage (integration eks-stage)", "absent", 0, False, False)], items
' "$OUT"
check "kubectl sees the user's cluster only" kube_sees "$K" "clusters: m" "contexts: " "users: " "current-context: "
check "the comment went" bash -c '! grep -q "# mine" "$1"' _ "$K"
check "mode kept" [ "$(stat -c %a "$K")" = 600 ]
end

begin "a file neither way can edit is refused, named, and unchanged"
home default
printf 'apiVersion: v1\nclusters: [{name: "arn:aws:eks:us-east-1:111122223333:cluster/prod", cluster: {server: s}}, {name: m, cluster: {server: !!binary aHR0cHM6Ly9t}}]\ncontexts: []\nusers:\n- name: atmos-eks-prod-us-east-1\n' >"$K"
before=$(sha256sum <"$K")
go dev-admin
check "exit 1 (its only removal failed)" rc_is 1
check "names the file and why" has "$OUT" "~/.config/atmos/kube/config is not a kubeconfig atmos can edit exactly"
check "the tag" has "$OUT" "a standard tag other than !!str on a scalar"
check "unchanged" [ "$before" = "$(sha256sum <"$K")" ]
end

begin "client-go's lock held: the item fails, the file and the lock stay"
home default
: >"$K.lock"; before=$(sha256sum <"$K")
go ops
check "exit 1" rc_is 1
check "says who" has "$OUT" "~/.config/atmos/kube/config.lock exists: another program is writing ~/.config/atmos/kube/config; left as it is"
check "unchanged" [ "$before" = "$(sha256sum <"$K")" ]
check "their lock kept" exists "$K.lock"
rm -f "$K.lock"; go ops
check "after it is gone: removed" same_bytes "$K" "$TMPROOT/k.entries" "${STAGE_GONE[@]}"
end

begin "an identity with no cluster integration leaves both files alone"
home default user; before=$(snapshot "$H")
go --provider azure-dc --dry-run
check "exit 0" rc_is 0
check "AKS listed" has "$OUT" "cluster aks1 (integration aks)"
check "no EKS, no GKE" bash -c '! grep -q -e "cluster prod" -e "cluster g1" <<<"$1"' _ "$OUT"
check "unchanged" [ "$before" = "$(snapshot "$H")" ]
end

begin "a context under atmos's name that now names another cluster is the user's: it stays, with its user"
home default
sed -i 's|^    cluster: arn:aws:eks:us-west-2:111122223333:cluster/stage$|    cluster: kind-kind|' "$K"
go ops
check "exit 0" rc_is 0
check "only the cluster goes (1 entry)" has "$OUT" "cluster stage (integration eks-stage) (1 entry)"
check "bytes" cmp -s "$K" <(expected "$K" "$TMPROOT/k.entries" "clusters/arn:aws:eks:us-west-2:111122223333:cluster/stage" |
    sed 's|^    cluster: arn:aws:eks:us-west-2:111122223333:cluster/stage$|    cluster: kind-kind|')
check "kubectl" kube_sees "$K" \
    "clusters: /subscriptions/5b9f0000-0000-4000-8000-000000000001/resourceGroups/rg1/providers/Microsoft.ContainerService/managedClusters/aks1 arn:aws:eks:eu-west-1:111122223333:cluster/prod arn:aws:eks:us-east-1:111122223333:cluster/prod kind-kind" \
    "contexts: aks arn:aws:eks:us-east-1:111122223333:cluster/prod eu-prod kind-kind stage" \
    "users: atmos-aks-aks1-rg1-5b9f0000-0000-4000-8000-000000000001 atmos-eks-prod-us-east-1 atmos-eks-stage-us-west-2 eu-admin kind-kind" \
    "current-context: stage"
end
