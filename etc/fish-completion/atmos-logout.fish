# fish completion for atmos-logout: flags, identity, provider and tag names.
# Names come from the configuration through atmos-logout itself
# (--list-identities, --list-providers, --list-tags), with the --config and
# --profile given so far, as the bash completion does.  The flags are those
# of atmos-logout's option table (tests/e2e/docs_options.py, from
# test_people.sh, checks that every flag --help lists is here, with its short
# letter, and that the man page and the bash completion agree).

# The --config and --profile arguments on the command line so far.
function __atmos_logout_cfg
    set -l tokens (commandline -opc)
    set -l n (count $tokens)
    for i in (seq 2 $n)
        switch $tokens[$i]
            case -c --config --profile
                if test $i -lt $n
                    printf '%s\n' $tokens[$i] $tokens[(math $i + 1)]
                end
        end
    end
end

# __atmos_logout_names identities|providers|tags
function __atmos_logout_names
    atmos-logout (__atmos_logout_cfg) --list-$argv[1] 2>/dev/null
end

# --tags a,b: each tag after what is already typed up to the last comma.
function __atmos_logout_tags
    set -l prefix (string match -r -- '^.*,' (commandline -ct))
    for t in (__atmos_logout_names tags)
        printf '%s%s\n' "$prefix" $t
    end
end

complete -c atmos-logout -f
complete -c atmos-logout -n 'not string match -q -- "-*" (commandline -ct)' -a '(__atmos_logout_names identities)' -d identity
complete -c atmos-logout -s a -l all -d 'log out of every provider and identity'
complete -c atmos-logout -l all-realms -d 'log out of everything in every realm holding atmos data'
complete -c atmos-logout -s c -l config -r -F -d 'read this atmos.yaml instead of the search path'
complete -c atmos-logout -s n -l dry-run -d 'print what would be removed; change nothing'
complete -c atmos-logout -s f -l force -d 'with --keychain: do not ask'
complete -c atmos-logout -s h -l help -d 'show the help'
complete -c atmos-logout -s i -l identity -x -a '(__atmos_logout_names identities)' -d 'log out of an identity (repeatable)'
complete -c atmos-logout -s k -l keychain -d 'also delete long-lived keychain credentials'
complete -c atmos-logout -l list-identities -d 'print the configured identities'
complete -c atmos-logout -l list-providers -d 'print the configured providers'
complete -c atmos-logout -l list-tags -d 'print the tags of providers and identities'
complete -c atmos-logout -l no-revoke -d 'do not sign the sessions out server-side first'
complete -c atmos-logout -s o -l output -x -a 'text json' -d 'output format'
complete -c atmos-logout -l profile -x -d 'atmos profiles to load, comma-separated'
complete -c atmos-logout -s p -l provider -x -a '(__atmos_logout_names providers)' -d 'log out of a provider and its identities'
complete -c atmos-logout -s q -l quiet -d 'print errors only'
complete -c atmos-logout -s s -l status -d 'show the session data on disk and when it expires'
complete -c atmos-logout -l tags -x -a '(__atmos_logout_tags)' -d 'log out of what carries any of these tags'
complete -c atmos-logout -l timeout -x -d "with --user: kill the user's run after this long"
complete -c atmos-logout -s u -l user -x -a '(__fish_complete_users)' -d 'root only: log out another user'
complete -c atmos-logout -s v -l verbose -d 'also show what was not checked and is no problem'
complete -c atmos-logout -s V -l version -d 'print the version'
