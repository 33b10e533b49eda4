#!/bin/bash
# --all-realms and --tags, on a HOME laid out the way atmos writes it: realms
# of this configuration and of others (aws/, gcp/ only, an emulator's
# kubeconfig, Azure's MSAL cache, a spec.files.base_path root), and
# directories that are not realms (a name atmos refuses, a valid-looking one
# holding only a user's files, a profile named aws, a symlink).  The real
# python3 json module reads every JSON report.
. "$(dirname "$0")/lib.sh"

C=.config/atmos

# A configuration of our own: two IAM Identity Center providers (one with a
# base_path), an IAM user, tags on providers and identities, the file keyring.
write_config() {
    cat >"$H/atmos.yaml" <<EOF
auth:
  keyring:
    type: file
  providers:
    corp-sso:
      kind: aws/iam-identity-center
      region: us-east-1
      start_url: https://corp.awsapps.com/start
      tags: [prod, team-a]
    partner-sso:
      kind: aws/iam-identity-center
      region: eu-west-1
      start_url: https://partner.awsapps.com/start
      spec:
        files:
          base_path: ~/bp
      tags:
        - partner
  identities:
    dev-admin:
      kind: aws/permission-set
      via:
        provider: corp-sso
    audit:
      kind: aws/permission-set
      via:
        provider: partner-sso
      tags: [Ops]
    ci-user:
      kind: aws/user
      tags: [ci, prod-like]
EOF
}

# cfg ARGS...: atmos-logout with that configuration, the realm pinned to "main".
cfg() {
    OUT=$(ATMOS_AUTH_REALM=main "$BIN" --config "$H/atmos.yaml" "$@" 2>"$TMPROOT/stderr"); RC=$?
    ERR=$(cat "$TMPROOT/stderr")
}
# json EXPR: a Python expression over the report `r` that must hold.
json() { "$PY" -c 'import json,sys; r=json.loads(sys.argv[2]); assert eval(sys.argv[1]), sys.argv[1]' "$1" "$OUT"; }

# The realms' files, and the things that are not realms.
populate() {
    fresh_home
    write_config
    aws_files "$H/$C/main/aws/corp-sso" dev-admin               # this config's realm
    aws_files "$H/$C/other/aws/their-sso" their-admin           # another repo's realm
    mkdir -p "$H/$C/gonly/gcp/their-gcp/adc/svc"                # a realm with gcp/ only
    echo '{"type":"authorized_user"}' >"$H/$C/gonly/gcp/their-gcp/adc/svc/application_default_credentials.json"
    mkdir -p "$H/$C/emu/emulator"                                # an emulator's kubeconfig only
    echo 'apiVersion: v1' >"$H/$C/emu/emulator/k3d.kubeconfig"
    echo 'mine' >"$H/$C/emu/emulator/notes.txt"
    mkdir -p "$H/.azure/atmos/az1/their-azure"                   # an Azure realm
    echo '{}' >"$H/.azure/atmos/az1/msal_token_cache.json"
    echo '{"tenant_id":"t"}' >"$H/.azure/atmos/az1/their-azure/credentials.json"
    aws_files "$H/bp/main/aws/partner-sso" audit                 # base_path, the configured realm
    aws_files "$H/bp/r2/aws/partner-sso" audit                   # base_path, a realm no config names
    aws_files "$H/$C/aws/legacy-sso" old-admin                   # the realm-less layout
    # Not realms: names atmos refuses, a user's own files, a profile named aws, a symlink.
    aws_files "$H/$C/Bad_Name/aws/p" x
    aws_files "$H/$C/a--b/aws/p" x
    mkdir -p "$H/$C/notes/aws/mydir"; echo todo >"$H/$C/notes/aws/mydir/todo.txt"; echo hi >"$H/$C/notes/aws/readme.txt"
    mkdir -p "$H/$C/profiles/aws/stacks"; echo 'x: 1' >"$H/$C/profiles/aws/atmos.yaml"; echo 'mine' >"$H/$C/profiles/aws/stacks/credentials"
    aws_files "$TMPROOT/elsewhere-$$/aws/p" x
    ln -sfn "$TMPROOT/elsewhere-$$" "$H/$C/linked"
    mkdir -p "$H/$C/kube"; echo 'apiVersion: v1' >"$H/$C/kube/config"
    mkdir -p "$H/$C/empty/aws/nothing"                           # valid, holds nothing of atmos's
}

# untouched PATH...: the bytes of what is not atmos's session data stay.
not_realms=(Bad_Name a--b notes profiles kube empty)
# base_path is outside atmos's directories: only the realm the configuration names counts there.
keep_snapshot() { for d in "${not_realms[@]}"; do snapshot "$H/$C/$d"; done; snapshot "$TMPROOT/elsewhere-$$"; snapshot "$H/bp/r2"; }

begin "--all-realms --dry-run: every realm listed, nothing changed"
populate
before=$(snapshot "$H")
cfg --all-realms --dry-run
check "exit 0" rc_is 0
check "realms line" has "$(grep '^Realms:' <<<"$OUT")" "Realms: no realm, az1, emu, gonly, main, other"
check "realms line ends there" hasnt "$(grep '^Realms:' <<<"$OUT")" "r2"
check "another repo's provider directory, by realm" has "$OUT" "provider directory ~/$C/other/aws/their-sso [realm other]"
check "gcp only" has "$OUT" "GCP provider directory ~/$C/gonly/gcp/their-gcp [realm gonly]"
check "emulator kubeconfig" has "$OUT" "emulator kubeconfig ~/$C/emu/emulator/k3d.kubeconfig [realm emu]"
check "azure MSAL cache" has "$OUT" "atmos MSAL cache ~/.azure/atmos/az1/msal_token_cache.json [realm az1]"
check "base_path, the configured realm" has "$OUT" "~/bp/main/aws/partner-sso"
check "base_path, another realm: never named" hasnt "$OUT" "~/bp/r2"
check "realm-less layout" has "$OUT" "~/$C/aws/legacy-sso [no realm]"
for d in Bad_Name a--b notes profiles kube empty linked; do
    check "$d never named" hasnt "$OUT" "$C/$d/"
done
check "the symlink's target never named" hasnt "$OUT" "elsewhere"
check "not a realm's name in the list" hasnt "$(grep '^Realms:' <<<"$OUT")" "profiles"
check "nothing changed" [ "$before" = "$(snapshot "$H")" ]
cfg --all-realms --dry-run -o json
check "json: scope and realms" json 'r["scope"]=="all-realms" and r["realms"]==["az1","emu","gonly","main","other"]'
check "json: every item has its realm" json 'all("realm" in i for i in r["items"]) and {i["realm"] for i in r["items"]} >= {None,"main","other","gonly","emu","az1"}'
check "json: no path outside the realms" json 'not any(x in (i["path"] or "") for i in r["items"] for x in ("Bad_Name","a--b","/notes/","/profiles/","/kube/","/empty/","linked"))'
end

begin "--all-realms: removes what atmos wrote in every realm, only that"
populate
keep=$(keep_snapshot)
cfg --all-realms
check "exit 0" rc_is 0
check "this realm's sections" no_section_in "[dev-admin]" "$H/$C/main/aws/corp-sso/credentials"
check "another repo's provider directory" missing "$H/$C/other/aws/their-sso"
check "gcp-only realm's provider directory" missing "$H/$C/gonly/gcp/their-gcp"
check "the emptied realm's directories go, as atmos removes a realm (logout.go)" missing "$H/$C/gonly"
check "emulator kubeconfig" missing "$H/$C/emu/emulator/k3d.kubeconfig"
check "a user's file beside it stays" exists "$H/$C/emu/emulator/notes.txt"
check "and so does the realm holding it" exists "$H/$C/emu"
check "azure MSAL cache" missing "$H/.azure/atmos/az1/msal_token_cache.json"
check "azure provider directory" missing "$H/.azure/atmos/az1/their-azure"
check "base_path, the configured realm" no_section_in "[audit]" "$H/bp/main/aws/partner-sso/credentials"
check "base_path, a realm no configuration names: kept" exists "$H/bp/r2/aws/partner-sso/credentials"
check "realm-less provider directory" missing "$H/$C/aws/legacy-sso"
check "not realms: byte for byte" [ "$keep" = "$(keep_snapshot)" ]
check "the symlink itself stays" [ -L "$H/$C/linked" ]
end


begin "--all-realms --keychain: the configured names in every realm (file keyring)"
populate
K=$H/.local/share/atmos/keyring
mkdir -p "$K"
for k in atmos_main_dev-admin atmos_other_dev-admin atmos_gonly_ci-user atmos_dev-admin \
         atmos_other_corp-sso atmos_zzz_dev-admin atmos_other_stranger; do echo enc >"$K/$k"; done
cfg --all-realms --keychain --dry-run
check "dry run exit 0" rc_is 0
check "dry run lists a realm's key" has "$OUT" "keychain entry atmos_other_dev-admin"
check "dry run changes nothing" exists "$K/atmos_other_dev-admin"
cfg --all-realms --keychain
check "without --force and no terminal: refused" [ "$RC" -ne 0 ]
check "refused: nothing gone" exists "$K/atmos_main_dev-admin"
cfg --all-realms --keychain --force
check "exit 0" rc_is 0
for k in atmos_main_dev-admin atmos_other_dev-admin atmos_gonly_ci-user atmos_dev-admin atmos_other_corp-sso; do
    check "$k removed" missing "$K/$k"
done
check "a realm not on disk: its key stays" exists "$K/atmos_zzz_dev-admin"
check "a name not configured stays" exists "$K/atmos_other_stranger"
end

begin "--all-realms: contradictory targets are usage errors; --all is part of it"
populate
before=$(snapshot "$H")
for args in "--all-realms --provider corp-sso dev-admin" "--all-realms --identity" "--all-realms --tags prod"; do
    # shellcheck disable=SC2086
    cfg $args --dry-run
    check "$args: exit 2" rc_is 2
done
check "message" has "$ERR" "--all-realms cannot be combined"
check "nothing changed" [ "$before" = "$(snapshot "$H")" ]
cfg --all --all-realms --dry-run -o json
check "--all --all-realms is --all-realms" json 'r["scope"]=="all-realms"'
end

begin "--all-realms with no atmos.yaml: what is on disk, every realm"
populate
rm "$H/atmos.yaml"
OUT=$("$BIN" --all-realms --dry-run -o json 2>"$TMPROOT/stderr"); RC=$?; ERR=$(cat "$TMPROOT/stderr")
check "exit 0" rc_is 0
check "discovered" json 'r["discovered"] and any(i["path"].endswith("/other/aws/their-sso") for i in r["items"])'
end

begin "--tags: providers by their tags, identities by theirs"
populate
cfg --tags prod --dry-run -o json
check "exit 0" rc_is 0
check "the tagged provider and its identity" json 'r["scope"]=="tags" and r["target"]=="prod" and r["providers"]==["corp-sso"] and r["identities"]==["dev-admin"]'
check "its provider directory" json 'any(i["path"] and i["path"].endswith("/main/aws/corp-sso") for i in r["items"])'
check "not the other provider" json 'not any(i["provider"]=="partner-sso" for i in r["items"])'
cfg --tags ' ci , ,Ops,' --dry-run -o json
check "identities by their own tags, trimmed, empty dropped" json 'r["providers"]==[] and r["identities"]==["audit","ci-user"]'
check "an identity logout: no provider directory" json 'not any(i["label"]=="provider directory" for i in r["items"])'
cfg --tags prod,partner --dry-run -o json
check "any of the tags" json 'r["providers"]==["corp-sso","partner-sso"] and r["identities"]==["audit","dev-admin"]'
cfg --tags prod-like --dry-run -o json
check "exact match, not a prefix" json 'r["identities"]==["ci-user"] and r["providers"]==[]'
cfg --tags prod
check "real run exit 0" rc_is 0
check "the tagged provider's directory: a provider logout" missing "$H/$C/main/aws/corp-sso"
check "other realms untouched" exists "$H/$C/other/aws/their-sso/credentials"
check "text names the tags" has "$OUT" "Logging out by tags: prod"
aws_files "$H/$C/main/aws/partner-sso" audit other
cfg --tags Ops
check "identity tag: exit 0" rc_is 0
check "identity tag: its section gone" no_section_in "[audit]" "$H/$C/main/aws/partner-sso/credentials"
check "identity tag: its provider's other sections stay" section_in "[other]" "$H/$C/main/aws/partner-sso/credentials"
check "identity tag: the provider's base_path realm untouched" exists "$H/bp/r2/aws/partner-sso/credentials"
end

begin "--tags: no match names the available tags; bad combinations"
populate
cfg --tags Prod --dry-run
check "case-sensitive: exit 1" rc_is 1
check "error names the tag" has "$ERR" "no provider or identity carries the tag Prod"
check "available tags listed" has "$ERR" "Available tags:"
check "sorted, each once" [ "$(sed -n 's/^  - //p' <<<"$ERR" | tr '\n' ' ')" = "Ops ci partner prod prod-like team-a " ]
cfg --tags nope -o json
check "json: exit 1" rc_is 1
check "json: available_tags" json 'r["available_tags"]==["Ops","ci","partner","prod","prod-like","team-a"] and "nope" in r["error"]'
for args in "--tags prod dev-admin" "--tags prod --provider corp-sso" "--tags prod --all" "--tags prod --identity"; do
    # shellcheck disable=SC2086
    cfg $args --dry-run
    check "$args: exit 2" rc_is 2
done
check "message" has "$ERR" "--tags cannot be combined"
cfg --tags ' , ' --dry-run
check "a list of nothing: exit 2" rc_is 2
check "says so" has "$ERR" "--tags names no tag"
cfg --list-tags
check "--list-tags" [ "$OUT" = "$(printf 'Ops\nci\npartner\nprod\nprod-like\nteam-a')" ]
end

begin "a login made from ~/infra lives in its realm: named by the CLI, never 'already logged out'"
fresh_home
mkdir -p "$H/.atmos" "$H/infra"
printf 'auth:\n  providers:\n    corp: {kind: aws/iam-identity-center, region: us-east-1, start_url: https://corp.awsapps.com/start}\n  identities:\n    dev-admin: {kind: aws/permission-set, via: {provider: corp}}\n' >"$H/.atmos/atmos.yaml"
cp "$H/.atmos/atmos.yaml" "$H/infra/atmos.yaml"
RH=$(derived_realm "$H/.atmos"); RI=$(derived_realm "$H/infra")
aws_files "$H/$C/$RI/aws/corp" dev-admin
keep=$(snapshot "$H/$C/$RI")
cd "$H" || exit 1
run_raw dev-admin
check "identity: exit 1" rc_is 1
check "identity: the realm covered, and whose" has "$OUT" "Realm: $RH (the default realm of ~/.atmos)"
check "identity: the other realm named, with its directory" has "$OUT" "  • realm $RI (the default realm of ~/infra)"
check "identity: the command offered" has "$OUT" "Run 'atmos-logout --all-realms dev-admin'"
check "identity: never 'already logged out'" hasnt "$OUT" "already logged out"
check "identity: nothing removed there" [ "$keep" = "$(snapshot "$H/$C/$RI")" ]
run_raw dev-admin -o json
check "identity json" json "r['status']=='elsewhere' and r['realms']==['$RH'] and r['realm_directory']=='$H/.atmos' and r['elsewhere']==[{'realm':'$RI','directory':'$H/infra'}] and r['exit_code']==1"
run_raw --provider corp
check "provider: named too" has "$OUT" "Provider \"corp\" has nothing to remove in realm $RH"
check "provider: the command offered" has "$OUT" "Run 'atmos-logout --all-realms --provider corp'"
run_raw --all --dry-run
check "--all --dry-run: exit 1, the realm named" [ "$RC" = 1 ] && has "$OUT" "  • realm $RI (the default realm of ~/infra)"
check "--all --dry-run: never 'already logged out'" hasnt "$OUT" "already logged out"
run_raw --all --dry-run -o json
check "--all json: realms and elsewhere" json "r['realms']==['$RH'] and [e['realm'] for e in r['elsewhere']]==['$RI'] and r['status']=='elsewhere'"
cd "$H/infra" || exit 1
run_raw --all --dry-run
check "from ~/infra: its own realm covered" has "$OUT" "Realm: $RI (the default realm of ~/infra)"
check "from ~/infra: its provider directory listed" has "$OUT" "provider directory ~/$C/$RI/aws/corp"
cd "$H" || exit 1
run_raw --all-realms dev-admin -o json
check "--all-realms dev-admin: exit 0" rc_is 0
check "--all-realms dev-admin: the identity, every realm" json "r['scope']=='identity' and r['target']=='dev-admin' and '$RI' in r['realms'] and any(i['realm']=='$RI' and i['status']=='removed' for i in r['items'])"
check "--all-realms dev-admin: gone" no_section_in "[dev-admin]" "$H/$C/$RI/aws/corp/credentials"
check "--all-realms dev-admin: the sibling kept" section_in "[keep]" "$H/$C/$RI/aws/corp/credentials"
run_raw dev-admin
check "then: already logged out, exit 0" [ "$RC" = 0 ] && has "$OUT" "Identity \"dev-admin\" is already logged out."
end

begin "a HOME that does not exist is nothing to remove; logins in this realm the configuration does not name are said"
OUT=$(HOME=$TMPROOT/no-such-home "$BIN" --config "$EXAMPLE" --all 2>&1); RC=$?
check "missing HOME: exit 0" rc_is 0
check "missing HOME: no error" hasnt "$OUT" "No such file"
check "missing HOME: nothing created" missing "$TMPROOT/no-such-home"
fresh_home
mkdir -p "$H/.config/atmos/shared/aws/their-sso"
printf '[their-admin]\naws_access_key_id = ASIATHEIRS\n' >"$H/.config/atmos/shared/aws/their-sso/credentials"
printf 'auth:\n  realm: shared\n  providers:\n    mine:\n      kind: aws/iam-identity-center\n      start_url: https://mine.awsapps.com/start\n      region: us-east-1\n' >"$H/pinned.yaml"
RC=0; OUT=$("$BIN" --config "$H/pinned.yaml" --all 2>&1) || RC=$?
check "exit 1: something remains" rc_is 1
check "this realm named as holding what the configuration does not name" has "$OUT" "realm shared (this realm: logins this configuration does not name)"
check "never 'already logged out'" hasnt "$OUT" "already logged out"
check "their credentials untouched" section_in "[their-admin]" "$H/.config/atmos/shared/aws/their-sso/credentials"
end
