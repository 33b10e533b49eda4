# bash completion for atmos-logout: flags, identity names (every word that is not a
# flag or its value: several identities are one logout), provider names.
# Names come from the configuration and flags from --help, through
# atmos-logout itself.
_atmos_logout() {
    local cur prev words cword
    if declare -F _init_completion >/dev/null; then
        _init_completion || return
    else
        cur=${COMP_WORDS[COMP_CWORD]}; prev=${COMP_WORDS[COMP_CWORD-1]}
    fi
    local config=() i
    for ((i = 1; i < ${#COMP_WORDS[@]} - 1; i++)); do
        case ${COMP_WORDS[i]} in
        -c|--config) config+=(--config "${COMP_WORDS[i+1]}") ;;
        --profile) config+=(--profile "${COMP_WORDS[i+1]}") ;;
        esac
    done
    case $prev in
    -p|--provider)
        COMPREPLY=($(compgen -W "$(atmos-logout "${config[@]}" --list-providers 2>/dev/null)" -- "$cur"))
        return ;;
    -i|--identity)
        COMPREPLY=($(compgen -W "$(atmos-logout "${config[@]}" --list-identities 2>/dev/null)" -- "$cur"))
        return ;;
    -c|--config)
        COMPREPLY=($(compgen -f -- "$cur"))
        return ;;
    -o|--output)
        COMPREPLY=($(compgen -W "text json" -- "$cur"))
        return ;;
    -u|--user)
        COMPREPLY=($(compgen -u -- "$cur"))
        return ;;
    --tags)
        # a,b: the tag after the last comma, the ones before kept
        local done=""
        [[ $cur == *,* ]] && done=${cur%,*},
        COMPREPLY=($(compgen -P "$done" -W "$(atmos-logout "${config[@]}" --list-tags 2>/dev/null)" -- "${cur##*,}"))
        return ;;
    --profile|--timeout)
        COMPREPLY=()   # a value of the user's own: nothing to offer
        return ;;
    esac
    if [[ $cur == -* ]]; then
        # The flags --help lists: atmos-logout's one option table, so none is missing here.
        local flags
        flags=$(atmos-logout --help 2>/dev/null | sed -n 's/^  \(-[[:alnum:]], \)\{0,1\} *\(--[[:alnum:]-]*\).*/\2/p')
        COMPREPLY=($(compgen -W "$flags" -- "$cur"))
    else
        COMPREPLY=($(compgen -W "$(atmos-logout "${config[@]}" --list-identities 2>/dev/null)" -- "$cur"))
    fi
}
complete -F _atmos_logout atmos-logout
