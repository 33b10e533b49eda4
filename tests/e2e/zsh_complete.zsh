# usage: zsh -f zsh_complete.zsh FPATH_DIR OUT LINE
# What zsh's completion system offers for LINE: a real interactive zsh on a
# pseudo-terminal (zpty), compinit with the completion functions of
# FPATH_DIR, LINE typed and Tab pressed.  Every candidate given to compadd is
# appended to OUT, one per line (compadd is wrapped to record them).
zmodload zsh/zpty || exit 2
local dir=$1 out=$2 line=$3 chunk
rm -f -- $out
zpty z zsh -f -i
zpty -w z "fpath=(${(q)dir} \$fpath); autoload -U compinit; compinit -u -D"
zpty -w z "compadd() { local -a hits; builtin compadd -O hits \"\$@\"; print -rl -- \$hits >>${(q)out}; builtin compadd \"\$@\" }"
zpty -w z 'print READY'
zpty -r z chunk '*READY*'   # the command line echoed
zpty -r z chunk '*READY*'   # its output
zpty -w -n z "$line"$'\t'
for i in {1..50}; do
    sleep 0.1
    while zpty -r -t z chunk; do :; done
    [[ -s $out ]] && break
done
sleep 0.2
zpty -d z
