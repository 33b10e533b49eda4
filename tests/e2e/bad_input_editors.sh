# Rows B103-B117 and B140-B144 of docs/bad-input.md, sourced by test_bad_input.sh (its
# helpers: kube_case, cloud_home, cloud, snap, unchanged): files whose own
# tool refuses them, which atmos leaves byte for byte and reports by name,
# and names compared whole.  test_editors_diff.sh checks each verdict
# against the tool itself.

# kube_refused TEXT REASON: the kubeconfig TEXT is left, with kubectl's reason.
kube_refused() {
    kube_case; { kube_atmos_entries 111122223333; printf '%b' "$1"; } >"$KC"; snap
    run_bounded --config "$H/kube.yaml" dev-admin
    check "exit 1" rc_is 1
    check "says: kubectl would refuse it, why" bash -c 'grep -qF "$1: kubectl would refuse this file" <<<"$3" && grep -qF "$2" <<<"$3"' _ "$KCS" "$2" "$OUT"
    check "unchanged" unchanged
}
case_B103() {
    kube_refused '- cluster:\n    server: https://mine\n  name: arn:aws:eks:us-east-1:111122223333:cluster/prod\n' \
        "two clusters have the same name (lines 3 and 6)"
}
case_B104() { kube_refused 'current-context: yes\n' "a bool or a number where a string goes"; }
case_B105() { kube_refused 'contexts:\n- name: [a, b]\n  context: {cluster: c}\n' "a list or mapping where a string goes"; }

# json_refused docker|msal REASON PRINTF ARGS...: that file of cloud_home rewritten, then left
# with REASON.
json_refused() {
    local f which=$1 why=$2; shift 2
    cloud_home; f=$DOCK; [ "$which" = msal ] && f=$MSAL
    printf "$@" >"$f"; cp "$f" "$TMPROOT/json.orig"
    if [ "$which" = docker ]; then cloud dev-admin; else cloud --provider azure-dc; fi
    # The report shows the file as ~/...
    check "says: its tool would refuse it, why" bash -c 'grep -qF "$1: " <<<"$3" && grep -qF "would refuse this file" <<<"$3" && grep -qF "$2" <<<"$3"' _ "~${f#"$H"}" "$why" "$OUT"
    check "byte for byte" cmp -s "$f" "$TMPROOT/json.orig"
}
ECR=111111111111.dkr.ecr.us-east-1.amazonaws.com
case_B106() { json_refused docker "a byte order mark" '\xef\xbb\xbf{"auths": {"%s": {"auth": "QVdTOmVjcg=="}}}' "$ECR"; }
case_B107() { json_refused docker "a registry entry that is not an object" '{"auths": {"%s": "QVdTOmVjcg=="}}' "$ECR"; }
case_B108() {
    json_refused docker "a field that must be a string is not one" \
        '{"auths": {"%s": {"auth": "QVdTOmVjcg=="}, "ghcr.io": {"auth": 5}}}' "$ECR"
}
case_B109() { json_refused msal "a byte order mark" '\xef\xbb\xbf{"Account": {}}'; }
case_B110() {
    json_refused msal "an entry that is not an object" \
        '{"Account": {"a": {"home_account_id": "O1.T1"}, "b": "x"}}'
}
case_B111() {
    json_refused msal "a credential type that is not an object" \
        '{"Account": {"a": {"home_account_id": "O1.T1"}}, "RefreshToken": null}'
}
case_B112() {
    cloud_home; printf '{"auths": {"%s\\u0000evil": {"auth": "bWU6cHc="}, "%s": {"auth": "QVdTOmVjcg=="}}}' \
        "$ECR" "$ECR" >"$DOCK"
    cloud dev-admin
    check "the ECR login gone, the NUL-named registry kept" \
        [ "$(cat "$DOCK")" = "{\"auths\": {\"$ECR\\u0000evil\": {\"auth\": \"bWU6cHc=\"}}}" ]
}
case_B113() {
    cloud_home
    "$PY" -c 'import json, sys; print(json.dumps({"auths": {"big.io": {"auth": "bWU6cHc=", "pad": "x" * (1100 * 1024)},
        "many.io": dict({"k%d" % i: "v" for i in range(21000)}), sys.argv[1]: {"auth": "QVdTOmVjcg=="}}}))' "$ECR" >"$DOCK"
    cloud dev-admin
    check "the ECR login gone" bash -c '! grep -qF "$1" "$2"' _ "$ECR" "$DOCK"
    check "the others kept" "$PY" -c 'import json, sys; a = json.load(open(sys.argv[1]))["auths"]; sys.exit(sorted(a) != ["big.io", "many.io"] or len(a["many.io"]) != 21000)' "$DOCK"
}
case_B114() {
    cloud_home
    printf '{"Account": {"a": {"home_account_id": "O1.T1\\u0000x", "environment": "e"}, "b": {"home_account_id": "O1.T1"}}}' >"$MSAL"
    cloud --provider azure-dc
    check "alice gone, the NUL-holding look-alike kept" \
        [ "$(cat "$MSAL")" = '{"Account": {"a": {"home_account_id": "O1.T1\u0000x", "environment": "e"}}}' ]
}
case_B115() {
    kube_case; { kube_atmos_entries 111122223333; printf 'preferences: {colors: true}\n'; } >"$KC"
    run_bounded --config "$H/kube.yaml" dev-admin
    check "exit 0" rc_is 0
    check "the file kept, with its preferences" [ "$(cat "$KC")" = "$(printf 'apiVersion: v1\nclusters:\npreferences: {colors: true}')" ]
}
case_B116() { kube_refused 'users:\n- name: me\n  user: {token: 12345}\n' "a bool or a number where a string goes"; }
case_B117() {
    cloud_home
    printf '{"Account": {"k": {"home_account_id": "O9.T9"}, "k": {"home_account_id": "O1.T1"}}}' >"$MSAL"
    cloud --provider azure-dc
    check "alice's copy gone, bob's kept" [ "$(cat "$MSAL")" = '{"Account": {"k": {"home_account_id": "O9.T9"}}}' ]
    check "says so" has "$OUT" "(1 earlier entry of the same name, not the login's, now read in its place)"
}

# Rows B140-B144: the kubeconfig shapes byte ranges cannot cut, written whole
# again as kubectl reads it (formats/kubenorm.c), and where that rewrite stops.

# kube_left TEXT REASON: atmos's cluster and TEXT; left as it is, with REASON.
kube_left() {
    kube_case; { kube_atmos_entries 111122223333; printf '%b' "$1"; } >"$KC"; snap
    run_bounded --config "$H/kube.yaml" dev-admin
    check "exit 1" rc_is 1
    check "says: left as it is, why" bash -c 'grep -qF "$1 is not a kubeconfig atmos can edit exactly" <<<"$3" && grep -qF "$2" <<<"$3" && grep -qF "left as it is" <<<"$3"' _ "$KCS" "$2" "$OUT"
    check "unchanged" unchanged
}
case_B140() {
    local i j l
    l='x-mine:\n  l0: &l0 [x, x, x, x, x, x, x, x, x]\n'
    for i in 1 2 3 4 5 6 7 8; do
        l="$l  l$i: &l$i ["; for j in 1 2 3 4 5 6 7 8; do l="$l*l$((i - 1)), "; done; l="$l*l$((i - 1))]\n"
    done
    kube_left "$l" "aliases copying more than kubectl's reader may take (excessive aliasing)"
}
case_B141() {
    kube_case
    { kube_atmos_entries 111122223333; printf 'x-mine:\n  a: &a '; head -c 1048576 /dev/zero | tr '\0' x
      printf '\n  b: [%s*a]\n' "$(for i in $(seq 20); do printf '*a, '; done)"; } >"$KC"; snap
    run_bounded --config "$H/kube.yaml" dev-admin
    check "exit 1" rc_is 1
    check "says: too large once rewritten" has "$OUT" "$KCS is not a kubeconfig atmos can edit exactly (rewritten without its aliases it would be larger than a kubeconfig atmos edits (at most 16 MiB)); left as it is"
    check "unchanged" unchanged
}
case_B142() {
    kube_left '- name: mine\n  cluster: {server: !!binary aHR0cHM6Ly9taW5l}\n' \
        "a standard tag other than !!str on a scalar (it converts the value)"
}
case_B143() {
    kube_case
    printf '# my clusters\n{apiVersion: v1, clusters: [{name: "arn:aws:eks:us-east-1:111122223333:cluster/prod", cluster: &s {server: https://prod}},\n  {name: mine, cluster: *s}],  # mine uses the same server\n users: [{name: atmos-eks-prod-us-east-1, user: {}}, {name: me, user: {token: t}}]}\n' >"$KC"
    run_bounded --config "$H/kube.yaml" dev-admin
    check "exit 0" rc_is 0
    check "says: rewritten whole, comments not kept" has "$OUT" "(2 entries) in ~/.config/atmos/kube/config (rewritten whole: its comments were not kept)"
    check "atmos's cluster and user gone, the user's kept (the alias copied)" [ "$(cat "$KC")" = "$(printf 'apiVersion: v1\nclusters:\n- name: mine\n  cluster:\n    server: https://prod\nusers:\n- name: me\n  user:\n    token: t')" ]
}
case_B144() {
    kube_refused '- name: m\n  cluster: {<<: {server: 5}}\n' "a bool or a number where a string goes"
}
