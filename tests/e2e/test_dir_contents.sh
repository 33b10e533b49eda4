#!/bin/bash
# A directory is removed whole only when it holds nothing but what atmos (or
# the tool atmos points at it) writes there.  Otherwise atmos's files go, the
# rest stays, the directory with it, and the report says what was kept: a
# user's notes in a provider directory, ~/Documents named as a provider, an
# unknown subdirectory.  A gcloud configuration directory full of gcloud's own
# files goes whole.  The dry run says the same and changes nothing.
source "$(dirname "$0")/lib.sh"

unset DBUS_SESSION_BUS_ADDRESS
export XDG_RUNTIME_DIR=$TMPROOT/run
mkdir -p "$XDG_RUNTIME_DIR"

# home YAML: a fresh HOME with that atmos.yaml (no files of atmos's yet).
home() {
    H=$(mktemp -d "$TMPROOT/home.XXXXXX"); export HOME=$H; cd "$H" || exit 1
    printf '%s\n' "$1" >"$H/atmos.yaml"
}
go() { run_raw --config "$H/atmos.yaml" "$@"; }
put() { mkdir -p "$(dirname "$H/$1")" && printf '%s\n' "${2:-x}" >"$H/$1"; }
# aws_login DIR: what `atmos auth login` leaves in an AWS provider directory.
aws_login() {
    put "$1/credentials" $'[dev]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = s'
    put "$1/config" $'[profile dev]\nregion = us-east-1'
    put "$1/credentials.lock" ""; put "$1/config.lock" ""
}

AWS_ONE='auth:
  providers:
    corp: {kind: aws/saml}'
P=.config/atmos/aws/corp

begin "a provider directory with a user's file: atmos's files go, the file and the directory stay, said"
home "$AWS_ONE"; aws_login "$P"; put "$P/notes.txt" "my notes"
go --provider corp
check "exit 1: the only item, the directory, is not removed" rc_is 1
check "the user's file is intact" [ "$(cat "$H/$P/notes.txt")" = "my notes" ]
check "the directory stays" [ -d "$H/$P" ]
for f in credentials config credentials.lock config.lock; do check "$f removed" missing "$H/$P/$f"; done
check "says it was not removed and why" has "$OUT" "~/$P was not removed: it holds 1 entry atmos did not write (notes.txt), left as it is; removed atmos's 4 entries in it"
check "never 'Removed provider directory'" hasnt "$OUT" "Removed provider directory"
check "never 'Successfully logged out'" hasnt "$OUT" "Successfully logged out"
check "shown as not removed" has "$OUT" "Could not remove provider directory ~/$P"
end

begin "--all with one clean and one shared directory: warnings, exit 0"
home 'auth:
  providers:
    corp: {kind: aws/saml}
    clean: {kind: aws/saml}'
aws_login "$P"; put "$P/notes.txt" "my notes"; aws_login .config/atmos/aws/clean
go --all
check "exit 0: something was removed" rc_is 0
check "the clean directory is gone" missing "$H/.config/atmos/aws/clean"
check "Removed the clean one" has "$OUT" "Removed provider directory ~/.config/atmos/aws/clean"
check "warnings, not success" has "$OUT" "Logged out with warnings (1/2 successful)"
check "the shared one is named" has "$OUT" "~/$P was not removed"
check "notes intact" [ "$(cat "$H/$P/notes.txt")" = "my notes" ]
end

begin "base_path \"~\" and a provider named Documents: nothing of ~/Documents is touched"
home 'auth:
  providers:
    Documents: {kind: aws/saml, spec: {files: {base_path: "~"}}}'
put Documents/report.odt "quarterly report"; put Documents/drafts/letter.txt "dear"
# atmos's layout under that root is ~/aws/documents/ (atmos lowercases names): a user's there too, with two files.
put aws/documents/report.odt "quarterly report"; put aws/documents/drafts/letter.txt "dear"
before=$(snapshot "$H/Documents"); before_aws=$(snapshot "$H/aws")
go --all
check "exit 1: nothing removed" rc_is 1
check "~/Documents unchanged" [ "$before" = "$(snapshot "$H/Documents")" ]
check "~/Documents not even looked at" hasnt "$OUT" "$H/Documents "
check "~/aws/documents unchanged" [ "$before_aws" = "$(snapshot "$H/aws")" ]
check "says it was kept" has "$OUT" "~/aws/documents was not removed: it holds 2 entries atmos did not write ("
check "names the document" has "$OUT" "report.odt"
check "and that nothing of atmos's was there" has "$OUT" "nothing of atmos's was in it"
end

GCP='auth:
  providers:
    g: {kind: gcp/adc}
  identities:
    sa: {kind: gcp/service-account, via: {provider: g}}'
G=.config/atmos/gcp/g
# gcloud_dir DIR: atmos's properties, and what gcloud writes in its CLOUDSDK_CONFIG.
gcloud_dir() {
    put "$1/properties" $'[core]\nproject = p'
    put "$1/active_config" "config_atmos"; put "$1/configurations/config_atmos" $'[core]\naccount = a@b'
    put "$1/configurations/config_default" ""
    for f in credentials.db access_tokens.db default_configs.db gce config_sentinel .metricsUUID \
        .last_update_check.json .last_survey_prompt.yaml .last_opt_in_prompt.yaml \
        application_default_credentials.json; do put "$1/$f"; done
    put "$1/legacy_credentials/a@b/adc.json"; put "$1/legacy_credentials/a@b/.boto"
    put "$1/logs/2026.01.02/03.04.05.678901.log" "log"; put "$1/virtenv/bin/python"
}
gcp_login() {
    put "$G/adc/sa/application_default_credentials.json" '{"type":"authorized_user"}'
    put "$G/adc/sa/access_token" "ya29.x"; put "$G/sa.identity.lock" ""
    gcloud_dir "$G/config/sa"
}

begin "a gcloud configuration directory with gcloud's own files: all of it removed"
home "$GCP"; gcp_login
go --provider g
check "exit 0" rc_is 0
check "the provider directory is gone" missing "$H/$G"
check "removed" has "$OUT" "Removed GCP provider directory ~/$G"
check "no error" hasnt "$OUT" "Errors encountered"
end

begin "identity logout: gcloud's files in config/<identity>/ go with the directory"
home "$GCP"; gcp_login
go sa
check "exit 0" rc_is 0
check "adc/sa gone" missing "$H/$G/adc/sa"
check "config/sa gone" missing "$H/$G/config/sa"
check "removed" has "$OUT" "Removed gcloud configuration ~/$G/config/sa"
end

begin "a nested unknown subdirectory is kept, with what holds it; the rest goes"
home "$GCP"; gcp_login; put "$G/config/sa/emulators/datastore/data.bin" "precious"
go --provider g
check "exit 1" rc_is 1
check "the unknown subdirectory is intact" [ "$(cat "$H/$G/config/sa/emulators/datastore/data.bin")" = "precious" ]
check "gcloud's files beside it are gone" missing "$H/$G/config/sa/credentials.db"
check "gcloud's logs are gone" missing "$H/$G/config/sa/logs"
check "atmos's ADC is gone" missing "$H/$G/adc/sa"
check "the lock is gone" missing "$H/$G/sa.identity.lock"
check "names what was kept" has "$OUT" "~/$G was not removed: it holds 1 entry atmos did not write (config/sa/emulators/)"
end

begin "dry run: the same report, nothing changed"
home 'auth:
  providers:
    corp: {kind: aws/saml}
    clean: {kind: aws/saml}
    Documents: {kind: aws/saml, spec: {files: {base_path: "~"}}}'
aws_login "$P"; put "$P/notes.txt" "my notes"; put "$P/old/x" "y"; aws_login .config/atmos/aws/clean
put Documents/report.odt "quarterly report"; put aws/documents/report.odt "quarterly report"
before=$(snapshot "$H")
go --all --dry-run
check "exit 0" rc_is 0
check "nothing changed" [ "$before" = "$(snapshot "$H")" ]
check "the clean one would go" has "$OUT" "• provider directory ~/.config/atmos/aws/clean"
check "the shared one would stay" has "$OUT" "~/$P would not be removed: it holds 2 entries atmos did not write ("
check "which would be left" has "$OUT" "which would be left as they are; would remove atmos's 4 entries in it"
check "the kept subdirectory is named" has "$OUT" "old/"
check "Documents would stay" has "$OUT" "~/aws/documents would not be removed: it holds 1 entry atmos did not write (report.odt), which would be left as it is; nothing of atmos's is in it"
go --all
check "the real run: the same directories kept" has "$OUT" "~/$P was not removed: it holds 2 entries atmos did not write ("
check "and Documents" has "$OUT" "~/aws/documents was not removed"
check "~/Documents itself never planned" hasnt "$OUT" "$H/Documents "
check "~/Documents intact" [ "$(cat "$H/Documents/report.odt")" = "quarterly report" ]
end

begin "a symlink under a declared name is not atmos's: kept, its target untouched"
home "$AWS_ONE"; put target.txt "elsewhere"; mkdir -p "$H/$P"
ln -s "$H/target.txt" "$H/$P/credentials"; put "$P/config" $'[profile dev]\nregion = x'
go --provider corp
check "exit 1" rc_is 1
check "the link stays" [ -L "$H/$P/credentials" ]
check "its target is intact" [ "$(cat "$H/target.txt")" = "elsewhere" ]
check "config removed" missing "$H/$P/config"
check "the link is named" has "$OUT" "it holds 1 entry atmos did not write (credentials), left as it is; removed atmos's 1 entry in it"
end
