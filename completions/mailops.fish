# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_mailops_global_optspecs
    string join \n v/verbose q/quiet log-format= color= lang= h/help V/version
end

function __fish_mailops_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_mailops_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_mailops_using_subcommand
    set -l cmd (__fish_mailops_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c mailops -n "__fish_mailops_needs_command" -l log-format -d 'Format of log lines on stderr' -r -f -a "text\t'Human-readable lines'
json\t'One JSON object per line'"
complete -c mailops -n "__fish_mailops_needs_command" -l color -d 'When to use colours (NO_COLOR is respected with `auto`)' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c mailops -n "__fish_mailops_needs_command" -l lang -d 'The language: vi (Tiếng Việt) or en. Messages follow LC_ALL, LC_MESSAGES or LANG by default (vi_VN is Vietnamese); the directory and reports, the agency\'s documents, are Vietnamese unless asked. JSON output and exit codes are the same in both' -r -f -a "vi\t'Tiếng Việt'
en\t'English'"
complete -c mailops -n "__fish_mailops_needs_command" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides it'
complete -c mailops -n "__fish_mailops_needs_command" -s q -l quiet -d 'Print only errors and the requested output'
complete -c mailops -n "__fish_mailops_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mailops -n "__fish_mailops_needs_command" -s V -l version -d 'Print version'
complete -c mailops -n "__fish_mailops_needs_command" -f -a "validate" -d 'Check a staff repository: syntax, naming policy, references, addresses. Reports every problem at once'
complete -c mailops -n "__fish_mailops_needs_command" -f -a "address" -d 'Derive the address of a person from the full name (rule II.2) and, with --repo, check it is free'
complete -c mailops -n "__fish_mailops_needs_command" -f -a "directory" -d 'Print the staff directory (rule II.3): grouped by unit, with account, full name, title, backup e-mail'
complete -c mailops -n "__fish_mailops_needs_command" -f -a "plan" -d 'Show what a change to the staff repository would do: who is created, renamed, updated, suspended, deleted, and who gains or loses access'
complete -c mailops -n "__fish_mailops_needs_command" -f -a "apply" -d 'Carry out the plan on the server: creations, renames (mail kept), updates, access changes, staged removals. Initial passwords go to a 0600 file; every change goes to the audit log'
complete -c mailops -n "__fish_mailops_needs_command" -f -a "adopt" -d 'Rebuild the inventory (what mailops manages) from the repository and the server: every account whose address a Mailbox or SharedMailbox asks for is adopted; others stay unmanaged and are never touched'
complete -c mailops -n "__fish_mailops_needs_command" -f -a "import" -d 'Write a repository from what a server holds and from the staff list (.csv, .xlsx, .xls, .ods): valid as written, planning to no changes, with a report of what to review against rule II.2. Never writes to the server; fills the state file as `adopt` does'
complete -c mailops -n "__fish_mailops_needs_command" -f -a "report" -d 'Reports from the repository and the server: `report usage` (rules III.4 and V.1: who checked mail). Read-only'
complete -c mailops -n "__fish_mailops_needs_command" -f -a "render" -d 'Render configuration for the mail server from the repository: `render attachments --for postfix|rspamd` (rule III.3). `apply` and `watch` keep such files in force with their --attachments-* flags'
complete -c mailops -n "__fish_mailops_needs_command" -f -a "crd" -d 'Write the Kubernetes CustomResourceDefinitions (Mailbox, SharedMailbox, Organization, MailServer), generated from the same spec types as the manifests: `mailops crd --out crds/`'
complete -c mailops -n "__fish_mailops_needs_command" -f -a "capabilities" -d 'Print what each backend can do (rename keeps mail, suspend, delegation, quotas, last login, bulk creation…), as the README\'s matrix; a change a backend cannot do shows as blocked in the plan'
complete -c mailops -n "__fish_mailops_needs_command" -f -a "schema" -d 'Print the JSON Schema of manifest files (for editors: `# yaml-language-server: $schema=…`)'
complete -c mailops -n "__fish_mailops_needs_command" -f -a "verify" -d 'Check that commits are signed by allowed signers (SSH signatures, git\'s allowed-signers format), each within the paths its signer may change'
complete -c mailops -n "__fish_mailops_needs_command" -f -a "watch" -d 'The GitOps controller: apply every new good revision of a git reference (or a folder), check the server for changes made by hand at every interval, and serve health, metrics, status and webhooks'
complete -c mailops -n "__fish_mailops_needs_command" -f -a "operator" -d 'Kubernetes CRD mode: reconcile the Mailbox, SharedMailbox and Organization resources of every namespace against the namespace\'s MailServer, with finalizers, Events, statuses and the same safety as git mode. Serves /healthz, /readyz and /metrics; `--leader-elect` for more than one replica'
complete -c mailops -n "__fish_mailops_needs_command" -f -a "completions" -d 'Print the shell completion script: `mailops completions bash > /etc/bash_completion.d/mailops` (also zsh, fish, powershell, elvish)'
complete -c mailops -n "__fish_mailops_needs_command" -f -a "man" -d 'Write the manual pages (mailops.1 and one per subcommand): `mailops man --out /usr/local/share/man/man1`'
complete -c mailops -n "__fish_mailops_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mailops -n "__fish_mailops_using_subcommand validate" -s o -l output -d 'Report format (json: a versioned report on stdout)' -r -f -a "text\t'For people'
json\t'For machines (versioned, documented in README)'"
complete -c mailops -n "__fish_mailops_using_subcommand validate" -l max-file-size -d 'Largest manifest file read, in bytes' -r
complete -c mailops -n "__fish_mailops_using_subcommand validate" -l log-format -d 'Format of log lines on stderr' -r -f -a "text\t'Human-readable lines'
json\t'One JSON object per line'"
complete -c mailops -n "__fish_mailops_using_subcommand validate" -l color -d 'When to use colours (NO_COLOR is respected with `auto`)' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c mailops -n "__fish_mailops_using_subcommand validate" -l lang -d 'The language: vi (Tiếng Việt) or en. Messages follow LC_ALL, LC_MESSAGES or LANG by default (vi_VN is Vietnamese); the directory and reports, the agency\'s documents, are Vietnamese unless asked. JSON output and exit codes are the same in both' -r -f -a "vi\t'Tiếng Việt'
en\t'English'"
complete -c mailops -n "__fish_mailops_using_subcommand validate" -l deny-warnings -d 'Treat warnings as errors'
complete -c mailops -n "__fish_mailops_using_subcommand validate" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides it'
complete -c mailops -n "__fish_mailops_using_subcommand validate" -s q -l quiet -d 'Print only errors and the requested output'
complete -c mailops -n "__fish_mailops_using_subcommand validate" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mailops -n "__fish_mailops_using_subcommand validate" -s V -l version -d 'Print version'
complete -c mailops -n "__fish_mailops_using_subcommand address" -l given -d 'The given name, for names that do not follow the Kinh order (family, middle, given)' -r
complete -c mailops -n "__fish_mailops_using_subcommand address" -l family -d 'The family name, when it is not the first word' -r
complete -c mailops -n "__fish_mailops_using_subcommand address" -l repo -d 'Check against this staff repository: collisions, and free extensions if taken' -r -F
complete -c mailops -n "__fish_mailops_using_subcommand address" -l domain -d 'Domain of the address (default: the repository\'s naming domain; without either, the local part alone)' -r
complete -c mailops -n "__fish_mailops_using_subcommand address" -l title -d 'The person\'s title, to suggest an extension from its initials (Chánh Thanh tra → ctt)' -r
complete -c mailops -n "__fish_mailops_using_subcommand address" -l unit -d 'The person\'s unit id, to suggest an extension from the unit\'s name' -r
complete -c mailops -n "__fish_mailops_using_subcommand address" -s o -l output -d 'Output format' -r -f -a "text\t'For people'
json\t'For machines (versioned, documented in README)'"
complete -c mailops -n "__fish_mailops_using_subcommand address" -l log-format -d 'Format of log lines on stderr' -r -f -a "text\t'Human-readable lines'
json\t'One JSON object per line'"
complete -c mailops -n "__fish_mailops_using_subcommand address" -l color -d 'When to use colours (NO_COLOR is respected with `auto`)' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c mailops -n "__fish_mailops_using_subcommand address" -l lang -d 'The language: vi (Tiếng Việt) or en. Messages follow LC_ALL, LC_MESSAGES or LANG by default (vi_VN is Vietnamese); the directory and reports, the agency\'s documents, are Vietnamese unless asked. JSON output and exit codes are the same in both' -r -f -a "vi\t'Tiếng Việt'
en\t'English'"
complete -c mailops -n "__fish_mailops_using_subcommand address" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides it'
complete -c mailops -n "__fish_mailops_using_subcommand address" -s q -l quiet -d 'Print only errors and the requested output'
complete -c mailops -n "__fish_mailops_using_subcommand address" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mailops -n "__fish_mailops_using_subcommand address" -s V -l version -d 'Print version'
complete -c mailops -n "__fish_mailops_using_subcommand directory" -s f -l format -d 'Output format' -r -f -a "csv\t'Comma-separated values, one row per person, with the unit as a column'
markdown\t'A Markdown table with a heading row per unit (the appendix\'s layout)'
html\t'A standalone, printable HTML page'
vcard\t'vCard 4.0 (RFC 6350), one card per person and one for the agency mailbox'
ldif\t'LDIF (RFC 2849) for an LDAP directory: inetOrgPerson entries below organizationalUnit ones'"
complete -c mailops -n "__fish_mailops_using_subcommand directory" -l on -d 'List the people on staff on this day (YYYY-MM-DD; default today)' -r
complete -c mailops -n "__fish_mailops_using_subcommand directory" -l base-dn -d 'The base DN of the LDIF entries (default: the naming domain as dc= components)' -r
complete -c mailops -n "__fish_mailops_using_subcommand directory" -s o -l out -d 'Write to this file instead of stdout' -r -F
complete -c mailops -n "__fish_mailops_using_subcommand directory" -l log-format -d 'Format of log lines on stderr' -r -f -a "text\t'Human-readable lines'
json\t'One JSON object per line'"
complete -c mailops -n "__fish_mailops_using_subcommand directory" -l color -d 'When to use colours (NO_COLOR is respected with `auto`)' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c mailops -n "__fish_mailops_using_subcommand directory" -l lang -d 'The language: vi (Tiếng Việt) or en. Messages follow LC_ALL, LC_MESSAGES or LANG by default (vi_VN is Vietnamese); the directory and reports, the agency\'s documents, are Vietnamese unless asked. JSON output and exit codes are the same in both' -r -f -a "vi\t'Tiếng Việt'
en\t'English'"
complete -c mailops -n "__fish_mailops_using_subcommand directory" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides it'
complete -c mailops -n "__fish_mailops_using_subcommand directory" -s q -l quiet -d 'Print only errors and the requested output'
complete -c mailops -n "__fish_mailops_using_subcommand directory" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mailops -n "__fish_mailops_using_subcommand directory" -s V -l version -d 'Print version'
complete -c mailops -n "__fish_mailops_using_subcommand plan" -l base -d 'Compare against this revision, with no server (the pull request\'s target, e.g. `origin/main`)' -r
complete -c mailops -n "__fish_mailops_using_subcommand plan" -l head -d 'The revision with the change (with --base; default: HEAD)' -r
complete -c mailops -n "__fish_mailops_using_subcommand plan" -l server -d 'Plan against this server: `maildir:PATH` (the embedded Maildir/Dovecot backend) or `modoboa+http(s)://HOST[:PORT]` (Modoboa\'s REST API)' -r
complete -c mailops -n "__fish_mailops_using_subcommand plan" -l state -d 'The state file (inventory) for --server (default: beside a maildir\'s mail, else ./mailops-state.json)' -r -F
complete -c mailops -n "__fish_mailops_using_subcommand plan" -l token-file -d 'A file holding the server\'s API token (default: the MAILOPS_TOKEN environment variable)' -r -F
complete -c mailops -n "__fish_mailops_using_subcommand plan" -l out -d 'Also save the plan as JSON to this file' -r -F
complete -c mailops -n "__fish_mailops_using_subcommand plan" -s o -l output -d 'Output format' -r -f -a "text\t'For a terminal'
json\t'For machines (see README: plan format version 1)'
markdown\t'For a pull-request comment'"
complete -c mailops -n "__fish_mailops_using_subcommand plan" -l date -d 'The day to plan for: start and end dates, grace periods (YYYY-MM-DD; default today)' -r
complete -c mailops -n "__fish_mailops_using_subcommand plan" -l log-format -d 'Format of log lines on stderr' -r -f -a "text\t'Human-readable lines'
json\t'One JSON object per line'"
complete -c mailops -n "__fish_mailops_using_subcommand plan" -l color -d 'When to use colours (NO_COLOR is respected with `auto`)' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c mailops -n "__fish_mailops_using_subcommand plan" -l lang -d 'The language: vi (Tiếng Việt) or en. Messages follow LC_ALL, LC_MESSAGES or LANG by default (vi_VN is Vietnamese); the directory and reports, the agency\'s documents, are Vietnamese unless asked. JSON output and exit codes are the same in both' -r -f -a "vi\t'Tiếng Việt'
en\t'English'"
complete -c mailops -n "__fish_mailops_using_subcommand plan" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides it'
complete -c mailops -n "__fish_mailops_using_subcommand plan" -s q -l quiet -d 'Print only errors and the requested output'
complete -c mailops -n "__fish_mailops_using_subcommand plan" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mailops -n "__fish_mailops_using_subcommand plan" -s V -l version -d 'Print version'
complete -c mailops -n "__fish_mailops_using_subcommand apply" -l server -d 'The server: `maildir:PATH` (the embedded Maildir/Dovecot backend) or `modoboa+http(s)://HOST[:PORT]` (Modoboa\'s REST API; settings `?requests-per-second=N&page-size=N`)' -r
complete -c mailops -n "__fish_mailops_using_subcommand apply" -l state -d 'The state file (default: beside a maildir\'s mail, else ./mailops-state.json)' -r -F
complete -c mailops -n "__fish_mailops_using_subcommand apply" -l token-file -d 'A file holding the server\'s API token (default: the MAILOPS_TOKEN environment variable)' -r -F
complete -c mailops -n "__fish_mailops_using_subcommand apply" -l plan -d 'Apply this saved plan (from `plan --out`) instead of planning now; refused if the server changed since' -r -F
complete -c mailops -n "__fish_mailops_using_subcommand apply" -l credentials -d 'Where initial passwords are written, mode 0600 (default: beside the state file)' -r -F
complete -c mailops -n "__fish_mailops_using_subcommand apply" -l audit-log -d 'The append-only audit log, JSON lines (default: beside the state file)' -r -F
complete -c mailops -n "__fish_mailops_using_subcommand apply" -l concurrency -d 'Changes carried out at the same time (1 to 64)' -r
complete -c mailops -n "__fish_mailops_using_subcommand apply" -l date -d 'The day to plan and apply for (YYYY-MM-DD; default today)' -r
complete -c mailops -n "__fish_mailops_using_subcommand apply" -l git -d 'Read the repository from this git remote (`https://…`, `ssh://…`, `git@host:path`, `git://…`, `file://…` or a path) instead of a folder; the PATH argument is then the folder inside the repository' -r
complete -c mailops -n "__fish_mailops_using_subcommand apply" -l ref -d 'The branch, tag or full commit id to apply' -r
complete -c mailops -n "__fish_mailops_using_subcommand apply" -l git-cache -d 'Where fetched repositories are cached (later runs fetch only what is new)' -r -F
complete -c mailops -n "__fish_mailops_using_subcommand apply" -l git-token-file -d 'A file holding an HTTPS token for the remote (default: MAILOPS_GIT_TOKEN)' -r -F
complete -c mailops -n "__fish_mailops_using_subcommand apply" -l git-ssh-key -d 'An SSH private key for the remote (default: the SSH agent)' -r -F
complete -c mailops -n "__fish_mailops_using_subcommand apply" -l git-known-hosts -d 'The known_hosts file the SSH server\'s host key must be in (default: ~/.ssh/known_hosts)' -r -F
complete -c mailops -n "__fish_mailops_using_subcommand apply" -l verify-signatures -d 'Apply only commits signed by a key of this allowed-signers file, within their signer\'s paths' -r -F
complete -c mailops -n "__fish_mailops_using_subcommand apply" -l attachments-postfix -d 'Keep this Postfix table file (e.g. /etc/postfix/mailops-attachments.pcre) equal to the policy in git' -r -F
complete -c mailops -n "__fish_mailops_using_subcommand apply" -l attachments-postfix-table -d 'The table type of --attachments-postfix' -r -f -a "pcre\t'`pcre:` (Debian\'s postfix-pcre)'
regexp\t'`regexp:` (POSIX, built into every Postfix)'"
complete -c mailops -n "__fish_mailops_using_subcommand apply" -l attachments-rspamd -d 'Keep rspamd\'s files under this folder (e.g. /etc/rspamd) equal to the policy in git' -r -F
complete -c mailops -n "__fish_mailops_using_subcommand apply" -l attachments-reload -d 'Run this shell command after a file changed (e.g. `postfix reload`); retried by the next run if it fails or the run is killed first' -r
complete -c mailops -n "__fish_mailops_using_subcommand apply" -l log-format -d 'Format of log lines on stderr' -r -f -a "text\t'Human-readable lines'
json\t'One JSON object per line'"
complete -c mailops -n "__fish_mailops_using_subcommand apply" -l color -d 'When to use colours (NO_COLOR is respected with `auto`)' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c mailops -n "__fish_mailops_using_subcommand apply" -l lang -d 'The language: vi (Tiếng Việt) or en. Messages follow LC_ALL, LC_MESSAGES or LANG by default (vi_VN is Vietnamese); the directory and reports, the agency\'s documents, are Vietnamese unless asked. JSON output and exit codes are the same in both' -r -f -a "vi\t'Tiếng Việt'
en\t'English'"
complete -c mailops -n "__fish_mailops_using_subcommand apply" -l show-credentials -d 'Print initial passwords once on stdout instead of writing them to a file'
complete -c mailops -n "__fish_mailops_using_subcommand apply" -s y -l yes -d 'Apply without asking. On a terminal, apply shows the plan and asks first; without one (scripts, CI) it never asks'
complete -c mailops -n "__fish_mailops_using_subcommand apply" -l allow-history-rewrite -d 'Apply a revision that does not descend from the last applied one (a force-push)'
complete -c mailops -n "__fish_mailops_using_subcommand apply" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides it'
complete -c mailops -n "__fish_mailops_using_subcommand apply" -s q -l quiet -d 'Print only errors and the requested output'
complete -c mailops -n "__fish_mailops_using_subcommand apply" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mailops -n "__fish_mailops_using_subcommand apply" -s V -l version -d 'Print version'
complete -c mailops -n "__fish_mailops_using_subcommand adopt" -l server -d 'The server: `maildir:PATH` (the embedded Maildir/Dovecot backend) or `modoboa+http(s)://HOST[:PORT]` (Modoboa\'s REST API; settings `?requests-per-second=N&page-size=N`)' -r
complete -c mailops -n "__fish_mailops_using_subcommand adopt" -l state -d 'The state file (default: beside a maildir\'s mail, else ./mailops-state.json)' -r -F
complete -c mailops -n "__fish_mailops_using_subcommand adopt" -l token-file -d 'A file holding the server\'s API token (default: the MAILOPS_TOKEN environment variable)' -r -F
complete -c mailops -n "__fish_mailops_using_subcommand adopt" -l log-format -d 'Format of log lines on stderr' -r -f -a "text\t'Human-readable lines'
json\t'One JSON object per line'"
complete -c mailops -n "__fish_mailops_using_subcommand adopt" -l color -d 'When to use colours (NO_COLOR is respected with `auto`)' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c mailops -n "__fish_mailops_using_subcommand adopt" -l lang -d 'The language: vi (Tiếng Việt) or en. Messages follow LC_ALL, LC_MESSAGES or LANG by default (vi_VN is Vietnamese); the directory and reports, the agency\'s documents, are Vietnamese unless asked. JSON output and exit codes are the same in both' -r -f -a "vi\t'Tiếng Việt'
en\t'English'"
complete -c mailops -n "__fish_mailops_using_subcommand adopt" -l dry-run -d 'Show what would be adopted without writing the state file'
complete -c mailops -n "__fish_mailops_using_subcommand adopt" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides it'
complete -c mailops -n "__fish_mailops_using_subcommand adopt" -s q -l quiet -d 'Print only errors and the requested output'
complete -c mailops -n "__fish_mailops_using_subcommand adopt" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mailops -n "__fish_mailops_using_subcommand adopt" -s V -l version -d 'Print version'
complete -c mailops -n "__fish_mailops_using_subcommand import" -l server -d 'Read the accounts of this server: `maildir:PATH` or `modoboa+http(s)://HOST[:PORT]`. Never written to' -r
complete -c mailops -n "__fish_mailops_using_subcommand import" -l from -d 'Read the staff list: .csv, .xlsx, .xls or .ods, with Vietnamese or English headers (the appendix\'s `Tài khoản người dùng, Họ và tên, Chức vụ, Email dự phòng`), a unit column or unit heading rows' -r -F
complete -c mailops -n "__fish_mailops_using_subcommand import" -l out -d 'The folder to write the repository to (new or empty)' -r -F
complete -c mailops -n "__fish_mailops_using_subcommand import" -l short-name -d 'The agency\'s short name (`bdt`); guessed from the agency mailbox otherwise, and marked for review' -r
complete -c mailops -n "__fish_mailops_using_subcommand import" -l display-name -d 'The agency\'s official name (`Ban Dân tộc tỉnh Bình Thuận`)' -r
complete -c mailops -n "__fish_mailops_using_subcommand import" -l naming-domain -d 'The domain of personal addresses (rule II.2), when not the one most accounts follow the rule in' -r
complete -c mailops -n "__fish_mailops_using_subcommand import" -l shared -d 'An agency mailbox, with its owner (the head of the agency) by address or metadata.name. Needed for a server that does not record who may use a mailbox (Modoboa). Repeatable' -r
complete -c mailops -n "__fish_mailops_using_subcommand import" -l domain -d 'Import only these domains of the server (default: all). Repeatable' -r
complete -c mailops -n "__fish_mailops_using_subcommand import" -l state -d 'The state file to fill (default: beside a maildir\'s mail, else ./mailops-state.json)' -r -F
complete -c mailops -n "__fish_mailops_using_subcommand import" -l token-file -d 'A file holding the server\'s API token (default: the MAILOPS_TOKEN environment variable)' -r -F
complete -c mailops -n "__fish_mailops_using_subcommand import" -s o -l output -d 'Report format (json: the report, the files written and the plan\'s change count)' -r -f -a "text\t'For people'
json\t'For machines (versioned, documented in README)'"
complete -c mailops -n "__fish_mailops_using_subcommand import" -l log-format -d 'Format of log lines on stderr' -r -f -a "text\t'Human-readable lines'
json\t'One JSON object per line'"
complete -c mailops -n "__fish_mailops_using_subcommand import" -l color -d 'When to use colours (NO_COLOR is respected with `auto`)' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c mailops -n "__fish_mailops_using_subcommand import" -l lang -d 'The language: vi (Tiếng Việt) or en. Messages follow LC_ALL, LC_MESSAGES or LANG by default (vi_VN is Vietnamese); the directory and reports, the agency\'s documents, are Vietnamese unless asked. JSON output and exit codes are the same in both' -r -f -a "vi\t'Tiếng Việt'
en\t'English'"
complete -c mailops -n "__fish_mailops_using_subcommand import" -l force -d 'Write into a folder that is not empty: files of the same name are replaced, others are kept'
complete -c mailops -n "__fish_mailops_using_subcommand import" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides it'
complete -c mailops -n "__fish_mailops_using_subcommand import" -s q -l quiet -d 'Print only errors and the requested output'
complete -c mailops -n "__fish_mailops_using_subcommand import" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mailops -n "__fish_mailops_using_subcommand import" -s V -l version -d 'Print version'
complete -c mailops -n "__fish_mailops_using_subcommand report; and not __fish_seen_subcommand_from usage help" -l log-format -d 'Format of log lines on stderr' -r -f -a "text\t'Human-readable lines'
json\t'One JSON object per line'"
complete -c mailops -n "__fish_mailops_using_subcommand report; and not __fish_seen_subcommand_from usage help" -l color -d 'When to use colours (NO_COLOR is respected with `auto`)' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c mailops -n "__fish_mailops_using_subcommand report; and not __fish_seen_subcommand_from usage help" -l lang -d 'The language: vi (Tiếng Việt) or en. Messages follow LC_ALL, LC_MESSAGES or LANG by default (vi_VN is Vietnamese); the directory and reports, the agency\'s documents, are Vietnamese unless asked. JSON output and exit codes are the same in both' -r -f -a "vi\t'Tiếng Việt'
en\t'English'"
complete -c mailops -n "__fish_mailops_using_subcommand report; and not __fish_seen_subcommand_from usage help" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides it'
complete -c mailops -n "__fish_mailops_using_subcommand report; and not __fish_seen_subcommand_from usage help" -s q -l quiet -d 'Print only errors and the requested output'
complete -c mailops -n "__fish_mailops_using_subcommand report; and not __fish_seen_subcommand_from usage help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mailops -n "__fish_mailops_using_subcommand report; and not __fish_seen_subcommand_from usage help" -s V -l version -d 'Print version'
complete -c mailops -n "__fish_mailops_using_subcommand report; and not __fish_seen_subcommand_from usage help" -f -a "usage" -d 'Who checked mail (rule III.4), per unit and per person, from the server\'s last logins; for the periodic reports to the provincial department (rule V.1). Never writes to the server'
complete -c mailops -n "__fish_mailops_using_subcommand report; and not __fish_seen_subcommand_from usage help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mailops -n "__fish_mailops_using_subcommand report; and __fish_seen_subcommand_from usage" -l server -d 'The server: `maildir:PATH` (the embedded Maildir/Dovecot backend) or `modoboa+http(s)://HOST[:PORT]` (Modoboa\'s REST API; settings `?requests-per-second=N&page-size=N`)' -r
complete -c mailops -n "__fish_mailops_using_subcommand report; and __fish_seen_subcommand_from usage" -l state -d 'The state file (default: beside a maildir\'s mail, else ./mailops-state.json)' -r -F
complete -c mailops -n "__fish_mailops_using_subcommand report; and __fish_seen_subcommand_from usage" -l token-file -d 'A file holding the server\'s API token (default: the MAILOPS_TOKEN environment variable)' -r -F
complete -c mailops -n "__fish_mailops_using_subcommand report; and __fish_seen_subcommand_from usage" -l on -d 'The day reported on (YYYY-MM-DD; default today in the agency\'s time)' -r
complete -c mailops -n "__fish_mailops_using_subcommand report; and __fish_seen_subcommand_from usage" -s f -l format -d 'Output format' -r -f -a "markdown\t'Markdown, for a pull request or an e-mail'
csv\t'CSV, one row per person'
html\t'A standalone page, printable on A4'
json\t'JSON, versioned (README)'"
complete -c mailops -n "__fish_mailops_using_subcommand report; and __fish_seen_subcommand_from usage" -s o -l out -d 'Write to this file instead of stdout' -r -F
complete -c mailops -n "__fish_mailops_using_subcommand report; and __fish_seen_subcommand_from usage" -l log-format -d 'Format of log lines on stderr' -r -f -a "text\t'Human-readable lines'
json\t'One JSON object per line'"
complete -c mailops -n "__fish_mailops_using_subcommand report; and __fish_seen_subcommand_from usage" -l color -d 'When to use colours (NO_COLOR is respected with `auto`)' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c mailops -n "__fish_mailops_using_subcommand report; and __fish_seen_subcommand_from usage" -l lang -d 'The language: vi (Tiếng Việt) or en. Messages follow LC_ALL, LC_MESSAGES or LANG by default (vi_VN is Vietnamese); the directory and reports, the agency\'s documents, are Vietnamese unless asked. JSON output and exit codes are the same in both' -r -f -a "vi\t'Tiếng Việt'
en\t'English'"
complete -c mailops -n "__fish_mailops_using_subcommand report; and __fish_seen_subcommand_from usage" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides it'
complete -c mailops -n "__fish_mailops_using_subcommand report; and __fish_seen_subcommand_from usage" -s q -l quiet -d 'Print only errors and the requested output'
complete -c mailops -n "__fish_mailops_using_subcommand report; and __fish_seen_subcommand_from usage" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mailops -n "__fish_mailops_using_subcommand report; and __fish_seen_subcommand_from usage" -s V -l version -d 'Print version'
complete -c mailops -n "__fish_mailops_using_subcommand report; and __fish_seen_subcommand_from help" -f -a "usage" -d 'Who checked mail (rule III.4), per unit and per person, from the server\'s last logins; for the periodic reports to the provincial department (rule V.1). Never writes to the server'
complete -c mailops -n "__fish_mailops_using_subcommand report; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mailops -n "__fish_mailops_using_subcommand render; and not __fish_seen_subcommand_from attachments help" -l log-format -d 'Format of log lines on stderr' -r -f -a "text\t'Human-readable lines'
json\t'One JSON object per line'"
complete -c mailops -n "__fish_mailops_using_subcommand render; and not __fish_seen_subcommand_from attachments help" -l color -d 'When to use colours (NO_COLOR is respected with `auto`)' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c mailops -n "__fish_mailops_using_subcommand render; and not __fish_seen_subcommand_from attachments help" -l lang -d 'The language: vi (Tiếng Việt) or en. Messages follow LC_ALL, LC_MESSAGES or LANG by default (vi_VN is Vietnamese); the directory and reports, the agency\'s documents, are Vietnamese unless asked. JSON output and exit codes are the same in both' -r -f -a "vi\t'Tiếng Việt'
en\t'English'"
complete -c mailops -n "__fish_mailops_using_subcommand render; and not __fish_seen_subcommand_from attachments help" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides it'
complete -c mailops -n "__fish_mailops_using_subcommand render; and not __fish_seen_subcommand_from attachments help" -s q -l quiet -d 'Print only errors and the requested output'
complete -c mailops -n "__fish_mailops_using_subcommand render; and not __fish_seen_subcommand_from attachments help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mailops -n "__fish_mailops_using_subcommand render; and not __fish_seen_subcommand_from attachments help" -s V -l version -d 'Print version'
complete -c mailops -n "__fish_mailops_using_subcommand render; and not __fish_seen_subcommand_from attachments help" -f -a "attachments" -d 'The attachment policy (rule III.3, the Organization\'s `attachments`)'
complete -c mailops -n "__fish_mailops_using_subcommand render; and not __fish_seen_subcommand_from attachments help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mailops -n "__fish_mailops_using_subcommand render; and __fish_seen_subcommand_from attachments" -l for -d 'The server the configuration is for' -r -f -a "postfix\t'A Postfix `mime_header_checks` table'
rspamd\t'rspamd\'s `local.d/` files (mime_types.conf, force_actions.conf, rspamd.lua)'"
complete -c mailops -n "__fish_mailops_using_subcommand render; and __fish_seen_subcommand_from attachments" -l table -d 'Postfix\'s table type: `pcre` (Debian\'s postfix-pcre) or `regexp` (built in)' -r -f -a "pcre\t'`pcre:` (Debian\'s postfix-pcre)'
regexp\t'`regexp:` (POSIX, built into every Postfix)'"
complete -c mailops -n "__fish_mailops_using_subcommand render; and __fish_seen_subcommand_from attachments" -s o -l out -d 'Write there instead of stdout: the table file for Postfix, rspamd\'s configuration folder (e.g. /etc/rspamd) for rspamd. A file there that mailops did not write is never replaced' -r -F
complete -c mailops -n "__fish_mailops_using_subcommand render; and __fish_seen_subcommand_from attachments" -l log-format -d 'Format of log lines on stderr' -r -f -a "text\t'Human-readable lines'
json\t'One JSON object per line'"
complete -c mailops -n "__fish_mailops_using_subcommand render; and __fish_seen_subcommand_from attachments" -l color -d 'When to use colours (NO_COLOR is respected with `auto`)' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c mailops -n "__fish_mailops_using_subcommand render; and __fish_seen_subcommand_from attachments" -l lang -d 'The language: vi (Tiếng Việt) or en. Messages follow LC_ALL, LC_MESSAGES or LANG by default (vi_VN is Vietnamese); the directory and reports, the agency\'s documents, are Vietnamese unless asked. JSON output and exit codes are the same in both' -r -f -a "vi\t'Tiếng Việt'
en\t'English'"
complete -c mailops -n "__fish_mailops_using_subcommand render; and __fish_seen_subcommand_from attachments" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides it'
complete -c mailops -n "__fish_mailops_using_subcommand render; and __fish_seen_subcommand_from attachments" -s q -l quiet -d 'Print only errors and the requested output'
complete -c mailops -n "__fish_mailops_using_subcommand render; and __fish_seen_subcommand_from attachments" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mailops -n "__fish_mailops_using_subcommand render; and __fish_seen_subcommand_from attachments" -s V -l version -d 'Print version'
complete -c mailops -n "__fish_mailops_using_subcommand render; and __fish_seen_subcommand_from help" -f -a "attachments" -d 'The attachment policy (rule III.3, the Organization\'s `attachments`)'
complete -c mailops -n "__fish_mailops_using_subcommand render; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mailops -n "__fish_mailops_using_subcommand crd" -l out -d 'Write the CRDs to this folder (one file per kind); without it, print them as one YAML stream' -r -F
complete -c mailops -n "__fish_mailops_using_subcommand crd" -l log-format -d 'Format of log lines on stderr' -r -f -a "text\t'Human-readable lines'
json\t'One JSON object per line'"
complete -c mailops -n "__fish_mailops_using_subcommand crd" -l color -d 'When to use colours (NO_COLOR is respected with `auto`)' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c mailops -n "__fish_mailops_using_subcommand crd" -l lang -d 'The language: vi (Tiếng Việt) or en. Messages follow LC_ALL, LC_MESSAGES or LANG by default (vi_VN is Vietnamese); the directory and reports, the agency\'s documents, are Vietnamese unless asked. JSON output and exit codes are the same in both' -r -f -a "vi\t'Tiếng Việt'
en\t'English'"
complete -c mailops -n "__fish_mailops_using_subcommand crd" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides it'
complete -c mailops -n "__fish_mailops_using_subcommand crd" -s q -l quiet -d 'Print only errors and the requested output'
complete -c mailops -n "__fish_mailops_using_subcommand crd" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mailops -n "__fish_mailops_using_subcommand crd" -s V -l version -d 'Print version'
complete -c mailops -n "__fish_mailops_using_subcommand capabilities" -l log-format -d 'Format of log lines on stderr' -r -f -a "text\t'Human-readable lines'
json\t'One JSON object per line'"
complete -c mailops -n "__fish_mailops_using_subcommand capabilities" -l color -d 'When to use colours (NO_COLOR is respected with `auto`)' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c mailops -n "__fish_mailops_using_subcommand capabilities" -l lang -d 'The language: vi (Tiếng Việt) or en. Messages follow LC_ALL, LC_MESSAGES or LANG by default (vi_VN is Vietnamese); the directory and reports, the agency\'s documents, are Vietnamese unless asked. JSON output and exit codes are the same in both' -r -f -a "vi\t'Tiếng Việt'
en\t'English'"
complete -c mailops -n "__fish_mailops_using_subcommand capabilities" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides it'
complete -c mailops -n "__fish_mailops_using_subcommand capabilities" -s q -l quiet -d 'Print only errors and the requested output'
complete -c mailops -n "__fish_mailops_using_subcommand capabilities" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mailops -n "__fish_mailops_using_subcommand capabilities" -s V -l version -d 'Print version'
complete -c mailops -n "__fish_mailops_using_subcommand schema" -l log-format -d 'Format of log lines on stderr' -r -f -a "text\t'Human-readable lines'
json\t'One JSON object per line'"
complete -c mailops -n "__fish_mailops_using_subcommand schema" -l color -d 'When to use colours (NO_COLOR is respected with `auto`)' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c mailops -n "__fish_mailops_using_subcommand schema" -l lang -d 'The language: vi (Tiếng Việt) or en. Messages follow LC_ALL, LC_MESSAGES or LANG by default (vi_VN is Vietnamese); the directory and reports, the agency\'s documents, are Vietnamese unless asked. JSON output and exit codes are the same in both' -r -f -a "vi\t'Tiếng Việt'
en\t'English'"
complete -c mailops -n "__fish_mailops_using_subcommand schema" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides it'
complete -c mailops -n "__fish_mailops_using_subcommand schema" -s q -l quiet -d 'Print only errors and the requested output'
complete -c mailops -n "__fish_mailops_using_subcommand schema" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mailops -n "__fish_mailops_using_subcommand schema" -s V -l version -d 'Print version'
complete -c mailops -n "__fish_mailops_using_subcommand verify" -l allowed-signers -d 'The allowed-signers file (git\'s `gpg.ssh.allowedSignersFile` format; `mailops-paths="…"` limits a signer to paths)' -r -F
complete -c mailops -n "__fish_mailops_using_subcommand verify" -l since -d 'The last commit already trusted (e.g. the one last applied): every commit after it is checked. Without it, only `--rev` is checked, and its signer must be allowed to change everything' -r
complete -c mailops -n "__fish_mailops_using_subcommand verify" -l rev -d 'The commit to check up to' -r
complete -c mailops -n "__fish_mailops_using_subcommand verify" -l log-format -d 'Format of log lines on stderr' -r -f -a "text\t'Human-readable lines'
json\t'One JSON object per line'"
complete -c mailops -n "__fish_mailops_using_subcommand verify" -l color -d 'When to use colours (NO_COLOR is respected with `auto`)' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c mailops -n "__fish_mailops_using_subcommand verify" -l lang -d 'The language: vi (Tiếng Việt) or en. Messages follow LC_ALL, LC_MESSAGES or LANG by default (vi_VN is Vietnamese); the directory and reports, the agency\'s documents, are Vietnamese unless asked. JSON output and exit codes are the same in both' -r -f -a "vi\t'Tiếng Việt'
en\t'English'"
complete -c mailops -n "__fish_mailops_using_subcommand verify" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides it'
complete -c mailops -n "__fish_mailops_using_subcommand verify" -s q -l quiet -d 'Print only errors and the requested output'
complete -c mailops -n "__fish_mailops_using_subcommand verify" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mailops -n "__fish_mailops_using_subcommand verify" -s V -l version -d 'Print version'
complete -c mailops -n "__fish_mailops_using_subcommand watch" -l server -d 'The server: `maildir:PATH` (the embedded Maildir/Dovecot backend) or `modoboa+http(s)://HOST[:PORT]` (Modoboa\'s REST API; settings `?requests-per-second=N&page-size=N`)' -r
complete -c mailops -n "__fish_mailops_using_subcommand watch" -l state -d 'The state file (default: beside a maildir\'s mail, else ./mailops-state.json)' -r -F
complete -c mailops -n "__fish_mailops_using_subcommand watch" -l token-file -d 'A file holding the server\'s API token (default: the MAILOPS_TOKEN environment variable)' -r -F
complete -c mailops -n "__fish_mailops_using_subcommand watch" -l git -d 'Read the repository from this git remote (`https://…`, `ssh://…`, `git@host:path`, `git://…`, `file://…` or a path) instead of a folder; the PATH argument is then the folder inside the repository' -r
complete -c mailops -n "__fish_mailops_using_subcommand watch" -l ref -d 'The branch, tag or full commit id to apply' -r
complete -c mailops -n "__fish_mailops_using_subcommand watch" -l git-cache -d 'Where fetched repositories are cached (later runs fetch only what is new)' -r -F
complete -c mailops -n "__fish_mailops_using_subcommand watch" -l git-token-file -d 'A file holding an HTTPS token for the remote (default: MAILOPS_GIT_TOKEN)' -r -F
complete -c mailops -n "__fish_mailops_using_subcommand watch" -l git-ssh-key -d 'An SSH private key for the remote (default: the SSH agent)' -r -F
complete -c mailops -n "__fish_mailops_using_subcommand watch" -l git-known-hosts -d 'The known_hosts file the SSH server\'s host key must be in (default: ~/.ssh/known_hosts)' -r -F
complete -c mailops -n "__fish_mailops_using_subcommand watch" -l verify-signatures -d 'Apply only commits signed by a key of this allowed-signers file, within their signer\'s paths' -r -F
complete -c mailops -n "__fish_mailops_using_subcommand watch" -l credentials -d 'Where initial passwords are written, mode 0600 (default: beside the state file)' -r -F
complete -c mailops -n "__fish_mailops_using_subcommand watch" -l audit-log -d 'The append-only audit log, JSON lines (default: beside the state file)' -r -F
complete -c mailops -n "__fish_mailops_using_subcommand watch" -l concurrency -d 'Changes carried out at the same time (1 to 64)' -r
complete -c mailops -n "__fish_mailops_using_subcommand watch" -l interval -d 'How often to fetch the source and re-read the server (e.g. `30s`, `5m`; 1s to 24h)' -r
complete -c mailops -n "__fish_mailops_using_subcommand watch" -l drift -d 'Changes made on the server by hand: `report` them, or `heal` them back to the desired state' -r -f -a "report\t'Report them (status, metrics, log) and leave them as they are'
heal\t'Restore the desired state'"
complete -c mailops -n "__fish_mailops_using_subcommand watch" -l listen -d 'The HTTP endpoint (health, readiness, metrics, status, webhooks)' -r
complete -c mailops -n "__fish_mailops_using_subcommand watch" -l webhook-secret-file -d 'A file holding the webhook secret (default: MAILOPS_WEBHOOK_SECRET; without one, webhooks are refused)' -r -F
complete -c mailops -n "__fish_mailops_using_subcommand watch" -l max-backoff -d 'The longest wait between retries after failures (1s to 24h)' -r
complete -c mailops -n "__fish_mailops_using_subcommand watch" -l attachments-postfix -d 'Keep this Postfix table file (e.g. /etc/postfix/mailops-attachments.pcre) equal to the policy in git' -r -F
complete -c mailops -n "__fish_mailops_using_subcommand watch" -l attachments-postfix-table -d 'The table type of --attachments-postfix' -r -f -a "pcre\t'`pcre:` (Debian\'s postfix-pcre)'
regexp\t'`regexp:` (POSIX, built into every Postfix)'"
complete -c mailops -n "__fish_mailops_using_subcommand watch" -l attachments-rspamd -d 'Keep rspamd\'s files under this folder (e.g. /etc/rspamd) equal to the policy in git' -r -F
complete -c mailops -n "__fish_mailops_using_subcommand watch" -l attachments-reload -d 'Run this shell command after a file changed (e.g. `postfix reload`); retried by the next run if it fails or the run is killed first' -r
complete -c mailops -n "__fish_mailops_using_subcommand watch" -l log-format -d 'Format of log lines on stderr' -r -f -a "text\t'Human-readable lines'
json\t'One JSON object per line'"
complete -c mailops -n "__fish_mailops_using_subcommand watch" -l color -d 'When to use colours (NO_COLOR is respected with `auto`)' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c mailops -n "__fish_mailops_using_subcommand watch" -l lang -d 'The language: vi (Tiếng Việt) or en. Messages follow LC_ALL, LC_MESSAGES or LANG by default (vi_VN is Vietnamese); the directory and reports, the agency\'s documents, are Vietnamese unless asked. JSON output and exit codes are the same in both' -r -f -a "vi\t'Tiếng Việt'
en\t'English'"
complete -c mailops -n "__fish_mailops_using_subcommand watch" -l allow-history-rewrite -d 'Apply a revision that does not descend from the last applied one (a force-push)'
complete -c mailops -n "__fish_mailops_using_subcommand watch" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides it'
complete -c mailops -n "__fish_mailops_using_subcommand watch" -s q -l quiet -d 'Print only errors and the requested output'
complete -c mailops -n "__fish_mailops_using_subcommand watch" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mailops -n "__fish_mailops_using_subcommand watch" -s V -l version -d 'Print version'
complete -c mailops -n "__fish_mailops_using_subcommand operator" -l listen -d 'The HTTP endpoint (/healthz, /readyz, /metrics, /status); in a pod, `0.0.0.0:9187` for the probes' -r
complete -c mailops -n "__fish_mailops_using_subcommand operator" -l requeue -d 'Time between reconciles of a namespace (changes made on the server by hand, grace periods; 1s to 24h)' -r
complete -c mailops -n "__fish_mailops_using_subcommand operator" -l max-backoff -d 'The longest wait between retries after failures (1s to 24h)' -r
complete -c mailops -n "__fish_mailops_using_subcommand operator" -l concurrency -d 'Namespaces reconciled at the same time (a namespace is never reconciled twice at once)' -r
complete -c mailops -n "__fish_mailops_using_subcommand operator" -l changes-per-namespace -d 'Changes carried out at the same time within a namespace' -r
complete -c mailops -n "__fish_mailops_using_subcommand operator" -l shard -d 'Reconcile only shard N of M (0-based): a namespace\'s shard is its label `mailops.dev/shard`, or a hash of its name. Each shard runs its own replicas (with --leader-elect, a Lease per shard)' -r
complete -c mailops -n "__fish_mailops_using_subcommand operator" -l lease-namespace -d 'The Lease\'s namespace' -r
complete -c mailops -n "__fish_mailops_using_subcommand operator" -l lease-name -d 'The Lease\'s name' -r
complete -c mailops -n "__fish_mailops_using_subcommand operator" -l identity -d 'This replica\'s identity (the pod name)' -r
complete -c mailops -n "__fish_mailops_using_subcommand operator" -l log-format -d 'Format of log lines on stderr' -r -f -a "text\t'Human-readable lines'
json\t'One JSON object per line'"
complete -c mailops -n "__fish_mailops_using_subcommand operator" -l color -d 'When to use colours (NO_COLOR is respected with `auto`)' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c mailops -n "__fish_mailops_using_subcommand operator" -l lang -d 'The language: vi (Tiếng Việt) or en. Messages follow LC_ALL, LC_MESSAGES or LANG by default (vi_VN is Vietnamese); the directory and reports, the agency\'s documents, are Vietnamese unless asked. JSON output and exit codes are the same in both' -r -f -a "vi\t'Tiếng Việt'
en\t'English'"
complete -c mailops -n "__fish_mailops_using_subcommand operator" -l leader-elect -d 'Hold a Lease before reconciling, for more than one replica'
complete -c mailops -n "__fish_mailops_using_subcommand operator" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides it'
complete -c mailops -n "__fish_mailops_using_subcommand operator" -s q -l quiet -d 'Print only errors and the requested output'
complete -c mailops -n "__fish_mailops_using_subcommand operator" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mailops -n "__fish_mailops_using_subcommand operator" -s V -l version -d 'Print version'
complete -c mailops -n "__fish_mailops_using_subcommand completions" -l log-format -d 'Format of log lines on stderr' -r -f -a "text\t'Human-readable lines'
json\t'One JSON object per line'"
complete -c mailops -n "__fish_mailops_using_subcommand completions" -l color -d 'When to use colours (NO_COLOR is respected with `auto`)' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c mailops -n "__fish_mailops_using_subcommand completions" -l lang -d 'The language: vi (Tiếng Việt) or en. Messages follow LC_ALL, LC_MESSAGES or LANG by default (vi_VN is Vietnamese); the directory and reports, the agency\'s documents, are Vietnamese unless asked. JSON output and exit codes are the same in both' -r -f -a "vi\t'Tiếng Việt'
en\t'English'"
complete -c mailops -n "__fish_mailops_using_subcommand completions" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides it'
complete -c mailops -n "__fish_mailops_using_subcommand completions" -s q -l quiet -d 'Print only errors and the requested output'
complete -c mailops -n "__fish_mailops_using_subcommand completions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mailops -n "__fish_mailops_using_subcommand completions" -s V -l version -d 'Print version'
complete -c mailops -n "__fish_mailops_using_subcommand man" -l out -d 'Write the pages to this folder: mailops.1 and one mailops-SUBCOMMAND.1 per subcommand' -r -F
complete -c mailops -n "__fish_mailops_using_subcommand man" -l log-format -d 'Format of log lines on stderr' -r -f -a "text\t'Human-readable lines'
json\t'One JSON object per line'"
complete -c mailops -n "__fish_mailops_using_subcommand man" -l color -d 'When to use colours (NO_COLOR is respected with `auto`)' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c mailops -n "__fish_mailops_using_subcommand man" -l lang -d 'The language: vi (Tiếng Việt) or en. Messages follow LC_ALL, LC_MESSAGES or LANG by default (vi_VN is Vietnamese); the directory and reports, the agency\'s documents, are Vietnamese unless asked. JSON output and exit codes are the same in both' -r -f -a "vi\t'Tiếng Việt'
en\t'English'"
complete -c mailops -n "__fish_mailops_using_subcommand man" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides it'
complete -c mailops -n "__fish_mailops_using_subcommand man" -s q -l quiet -d 'Print only errors and the requested output'
complete -c mailops -n "__fish_mailops_using_subcommand man" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mailops -n "__fish_mailops_using_subcommand man" -s V -l version -d 'Print version'
complete -c mailops -n "__fish_mailops_using_subcommand help; and not __fish_seen_subcommand_from validate address directory plan apply adopt import report render crd capabilities schema verify watch operator completions man help" -f -a "validate" -d 'Check a staff repository: syntax, naming policy, references, addresses. Reports every problem at once'
complete -c mailops -n "__fish_mailops_using_subcommand help; and not __fish_seen_subcommand_from validate address directory plan apply adopt import report render crd capabilities schema verify watch operator completions man help" -f -a "address" -d 'Derive the address of a person from the full name (rule II.2) and, with --repo, check it is free'
complete -c mailops -n "__fish_mailops_using_subcommand help; and not __fish_seen_subcommand_from validate address directory plan apply adopt import report render crd capabilities schema verify watch operator completions man help" -f -a "directory" -d 'Print the staff directory (rule II.3): grouped by unit, with account, full name, title, backup e-mail'
complete -c mailops -n "__fish_mailops_using_subcommand help; and not __fish_seen_subcommand_from validate address directory plan apply adopt import report render crd capabilities schema verify watch operator completions man help" -f -a "plan" -d 'Show what a change to the staff repository would do: who is created, renamed, updated, suspended, deleted, and who gains or loses access'
complete -c mailops -n "__fish_mailops_using_subcommand help; and not __fish_seen_subcommand_from validate address directory plan apply adopt import report render crd capabilities schema verify watch operator completions man help" -f -a "apply" -d 'Carry out the plan on the server: creations, renames (mail kept), updates, access changes, staged removals. Initial passwords go to a 0600 file; every change goes to the audit log'
complete -c mailops -n "__fish_mailops_using_subcommand help; and not __fish_seen_subcommand_from validate address directory plan apply adopt import report render crd capabilities schema verify watch operator completions man help" -f -a "adopt" -d 'Rebuild the inventory (what mailops manages) from the repository and the server: every account whose address a Mailbox or SharedMailbox asks for is adopted; others stay unmanaged and are never touched'
complete -c mailops -n "__fish_mailops_using_subcommand help; and not __fish_seen_subcommand_from validate address directory plan apply adopt import report render crd capabilities schema verify watch operator completions man help" -f -a "import" -d 'Write a repository from what a server holds and from the staff list (.csv, .xlsx, .xls, .ods): valid as written, planning to no changes, with a report of what to review against rule II.2. Never writes to the server; fills the state file as `adopt` does'
complete -c mailops -n "__fish_mailops_using_subcommand help; and not __fish_seen_subcommand_from validate address directory plan apply adopt import report render crd capabilities schema verify watch operator completions man help" -f -a "report" -d 'Reports from the repository and the server: `report usage` (rules III.4 and V.1: who checked mail). Read-only'
complete -c mailops -n "__fish_mailops_using_subcommand help; and not __fish_seen_subcommand_from validate address directory plan apply adopt import report render crd capabilities schema verify watch operator completions man help" -f -a "render" -d 'Render configuration for the mail server from the repository: `render attachments --for postfix|rspamd` (rule III.3). `apply` and `watch` keep such files in force with their --attachments-* flags'
complete -c mailops -n "__fish_mailops_using_subcommand help; and not __fish_seen_subcommand_from validate address directory plan apply adopt import report render crd capabilities schema verify watch operator completions man help" -f -a "crd" -d 'Write the Kubernetes CustomResourceDefinitions (Mailbox, SharedMailbox, Organization, MailServer), generated from the same spec types as the manifests: `mailops crd --out crds/`'
complete -c mailops -n "__fish_mailops_using_subcommand help; and not __fish_seen_subcommand_from validate address directory plan apply adopt import report render crd capabilities schema verify watch operator completions man help" -f -a "capabilities" -d 'Print what each backend can do (rename keeps mail, suspend, delegation, quotas, last login, bulk creation…), as the README\'s matrix; a change a backend cannot do shows as blocked in the plan'
complete -c mailops -n "__fish_mailops_using_subcommand help; and not __fish_seen_subcommand_from validate address directory plan apply adopt import report render crd capabilities schema verify watch operator completions man help" -f -a "schema" -d 'Print the JSON Schema of manifest files (for editors: `# yaml-language-server: $schema=…`)'
complete -c mailops -n "__fish_mailops_using_subcommand help; and not __fish_seen_subcommand_from validate address directory plan apply adopt import report render crd capabilities schema verify watch operator completions man help" -f -a "verify" -d 'Check that commits are signed by allowed signers (SSH signatures, git\'s allowed-signers format), each within the paths its signer may change'
complete -c mailops -n "__fish_mailops_using_subcommand help; and not __fish_seen_subcommand_from validate address directory plan apply adopt import report render crd capabilities schema verify watch operator completions man help" -f -a "watch" -d 'The GitOps controller: apply every new good revision of a git reference (or a folder), check the server for changes made by hand at every interval, and serve health, metrics, status and webhooks'
complete -c mailops -n "__fish_mailops_using_subcommand help; and not __fish_seen_subcommand_from validate address directory plan apply adopt import report render crd capabilities schema verify watch operator completions man help" -f -a "operator" -d 'Kubernetes CRD mode: reconcile the Mailbox, SharedMailbox and Organization resources of every namespace against the namespace\'s MailServer, with finalizers, Events, statuses and the same safety as git mode. Serves /healthz, /readyz and /metrics; `--leader-elect` for more than one replica'
complete -c mailops -n "__fish_mailops_using_subcommand help; and not __fish_seen_subcommand_from validate address directory plan apply adopt import report render crd capabilities schema verify watch operator completions man help" -f -a "completions" -d 'Print the shell completion script: `mailops completions bash > /etc/bash_completion.d/mailops` (also zsh, fish, powershell, elvish)'
complete -c mailops -n "__fish_mailops_using_subcommand help; and not __fish_seen_subcommand_from validate address directory plan apply adopt import report render crd capabilities schema verify watch operator completions man help" -f -a "man" -d 'Write the manual pages (mailops.1 and one per subcommand): `mailops man --out /usr/local/share/man/man1`'
complete -c mailops -n "__fish_mailops_using_subcommand help; and not __fish_seen_subcommand_from validate address directory plan apply adopt import report render crd capabilities schema verify watch operator completions man help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mailops -n "__fish_mailops_using_subcommand help; and __fish_seen_subcommand_from report" -f -a "usage" -d 'Who checked mail (rule III.4), per unit and per person, from the server\'s last logins; for the periodic reports to the provincial department (rule V.1). Never writes to the server'
complete -c mailops -n "__fish_mailops_using_subcommand help; and __fish_seen_subcommand_from render" -f -a "attachments" -d 'The attachment policy (rule III.3, the Organization\'s `attachments`)'
