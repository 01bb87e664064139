#compdef mailops

autoload -U is-at-least

_mailops() {
    typeset -A opt_args
    typeset -a _arguments_options
    local ret=1

    if is-at-least 5.2; then
        _arguments_options=(-s -S -C)
    else
        _arguments_options=(-s -C)
    fi

    local context curcontext="$curcontext" state line
    _arguments "${_arguments_options[@]}" : \
'--log-format=[Format of log lines on stderr]:LOG_FORMAT:((text\:"Human-readable lines"
json\:"One JSON object per line"))' \
'--color=[When to use colours (NO_COLOR is respected with \`auto\`)]:COLOR:((auto\:"Colour when writing to a terminal and NO_COLOR is unset"
always\:"Always colour"
never\:"Never colour"))' \
'--lang=[The language\: vi (Tiếng Việt) or en. Messages follow LC_ALL, LC_MESSAGES or LANG by default (vi_VN is Vietnamese); the directory and reports, the agency'\''s documents, are Vietnamese unless asked. JSON output and exit codes are the same in both]:LANG:((vi\:"Tiếng Việt"
en\:"English"))' \
'*-v[More log output on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides it]' \
'*--verbose[More log output on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides it]' \
'(-v --verbose)-q[Print only errors and the requested output]' \
'(-v --verbose)--quiet[Print only errors and the requested output]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
'-V[Print version]' \
'--version[Print version]' \
":: :_mailops_commands" \
"*::: :->mailops" \
&& ret=0
    case $state in
    (mailops)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:mailops-command-$line[1]:"
        case $line[1] in
            (validate)
_arguments "${_arguments_options[@]}" : \
'-o+[Report format (json\: a versioned report on stdout)]:OUTPUT:((text\:"For people"
json\:"For machines (versioned, documented in README)"))' \
'--output=[Report format (json\: a versioned report on stdout)]:OUTPUT:((text\:"For people"
json\:"For machines (versioned, documented in README)"))' \
'--max-file-size=[Largest manifest file read, in bytes]:BYTES:_default' \
'--log-format=[Format of log lines on stderr]:LOG_FORMAT:((text\:"Human-readable lines"
json\:"One JSON object per line"))' \
'--color=[When to use colours (NO_COLOR is respected with \`auto\`)]:COLOR:((auto\:"Colour when writing to a terminal and NO_COLOR is unset"
always\:"Always colour"
never\:"Never colour"))' \
'--lang=[The language\: vi (Tiếng Việt) or en. Messages follow LC_ALL, LC_MESSAGES or LANG by default (vi_VN is Vietnamese); the directory and reports, the agency'\''s documents, are Vietnamese unless asked. JSON output and exit codes are the same in both]:LANG:((vi\:"Tiếng Việt"
en\:"English"))' \
'--deny-warnings[Treat warnings as errors]' \
'*-v[More log output on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides it]' \
'*--verbose[More log output on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides it]' \
'(-v --verbose)-q[Print only errors and the requested output]' \
'(-v --verbose)--quiet[Print only errors and the requested output]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
'-V[Print version]' \
'--version[Print version]' \
'::path -- The staff repository\: a folder with the Organization and the staff manifests:_files' \
&& ret=0
;;
(address)
_arguments "${_arguments_options[@]}" : \
'--given=[The given name, for names that do not follow the Kinh order (family, middle, given)]:GIVEN:_default' \
'--family=[The family name, when it is not the first word]:FAMILY:_default' \
'--repo=[Check against this staff repository\: collisions, and free extensions if taken]:PATH:_files' \
'--domain=[Domain of the address (default\: the repository'\''s naming domain; without either, the local part alone)]:DOMAIN:_default' \
'--title=[The person'\''s title, to suggest an extension from its initials (Chánh Thanh tra → ctt)]:TITLE:_default' \
'--unit=[The person'\''s unit id, to suggest an extension from the unit'\''s name]:UNIT:_default' \
'-o+[Output format]:OUTPUT:((text\:"For people"
json\:"For machines (versioned, documented in README)"))' \
'--output=[Output format]:OUTPUT:((text\:"For people"
json\:"For machines (versioned, documented in README)"))' \
'--log-format=[Format of log lines on stderr]:LOG_FORMAT:((text\:"Human-readable lines"
json\:"One JSON object per line"))' \
'--color=[When to use colours (NO_COLOR is respected with \`auto\`)]:COLOR:((auto\:"Colour when writing to a terminal and NO_COLOR is unset"
always\:"Always colour"
never\:"Never colour"))' \
'--lang=[The language\: vi (Tiếng Việt) or en. Messages follow LC_ALL, LC_MESSAGES or LANG by default (vi_VN is Vietnamese); the directory and reports, the agency'\''s documents, are Vietnamese unless asked. JSON output and exit codes are the same in both]:LANG:((vi\:"Tiếng Việt"
en\:"English"))' \
'*-v[More log output on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides it]' \
'*--verbose[More log output on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides it]' \
'(-v --verbose)-q[Print only errors and the requested output]' \
'(-v --verbose)--quiet[Print only errors and the requested output]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
'-V[Print version]' \
'--version[Print version]' \
':full_name -- Full name as written, family name first\: "Võ Thị Thu An":_default' \
&& ret=0
;;
(directory)
_arguments "${_arguments_options[@]}" : \
'-f+[Output format]:FORMAT:((csv\:"Comma-separated values, one row per person, with the unit as a column"
markdown\:"A Markdown table with a heading row per unit (the appendix'\''s layout)"
html\:"A standalone, printable HTML page"
vcard\:"vCard 4.0 (RFC 6350), one card per person and one for the agency mailbox"
ldif\:"LDIF (RFC 2849) for an LDAP directory\: inetOrgPerson entries below organizationalUnit ones"))' \
'--format=[Output format]:FORMAT:((csv\:"Comma-separated values, one row per person, with the unit as a column"
markdown\:"A Markdown table with a heading row per unit (the appendix'\''s layout)"
html\:"A standalone, printable HTML page"
vcard\:"vCard 4.0 (RFC 6350), one card per person and one for the agency mailbox"
ldif\:"LDIF (RFC 2849) for an LDAP directory\: inetOrgPerson entries below organizationalUnit ones"))' \
'--on=[List the people on staff on this day (YYYY-MM-DD; default today)]:DATE:_default' \
'--base-dn=[The base DN of the LDIF entries (default\: the naming domain as dc= components)]:DN:_default' \
'-o+[Write to this file instead of stdout]:FILE:_files' \
'--out=[Write to this file instead of stdout]:FILE:_files' \
'--log-format=[Format of log lines on stderr]:LOG_FORMAT:((text\:"Human-readable lines"
json\:"One JSON object per line"))' \
'--color=[When to use colours (NO_COLOR is respected with \`auto\`)]:COLOR:((auto\:"Colour when writing to a terminal and NO_COLOR is unset"
always\:"Always colour"
never\:"Never colour"))' \
'--lang=[The language\: vi (Tiếng Việt) or en. Messages follow LC_ALL, LC_MESSAGES or LANG by default (vi_VN is Vietnamese); the directory and reports, the agency'\''s documents, are Vietnamese unless asked. JSON output and exit codes are the same in both]:LANG:((vi\:"Tiếng Việt"
en\:"English"))' \
'*-v[More log output on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides it]' \
'*--verbose[More log output on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides it]' \
'(-v --verbose)-q[Print only errors and the requested output]' \
'(-v --verbose)--quiet[Print only errors and the requested output]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
'-V[Print version]' \
'--version[Print version]' \
'::path -- The staff repository:_files' \
&& ret=0
;;
(plan)
_arguments "${_arguments_options[@]}" : \
'--base=[Compare against this revision, with no server (the pull request'\''s target, e.g. \`origin/main\`)]:REV:_default' \
'--head=[The revision with the change (with --base; default\: HEAD)]:REV:_default' \
'(--base)--server=[Plan against this server\: \`maildir\:PATH\` (the embedded Maildir/Dovecot backend) or \`modoboa+http(s)\://HOST\[\:PORT\]\` (Modoboa'\''s REST API)]:URL:_default' \
'--state=[The state file (inventory) for --server (default\: beside a maildir'\''s mail, else ./mailops-state.json)]:FILE:_files' \
'--token-file=[A file holding the server'\''s API token (default\: the MAILOPS_TOKEN environment variable)]:FILE:_files' \
'--out=[Also save the plan as JSON to this file]:FILE:_files' \
'-o+[Output format]:OUTPUT:((text\:"For a terminal"
json\:"For machines (see README\: plan format version 1)"
markdown\:"For a pull-request comment"))' \
'--output=[Output format]:OUTPUT:((text\:"For a terminal"
json\:"For machines (see README\: plan format version 1)"
markdown\:"For a pull-request comment"))' \
'--date=[The day to plan for\: start and end dates, grace periods (YYYY-MM-DD; default today)]:DATE:_default' \
'--log-format=[Format of log lines on stderr]:LOG_FORMAT:((text\:"Human-readable lines"
json\:"One JSON object per line"))' \
'--color=[When to use colours (NO_COLOR is respected with \`auto\`)]:COLOR:((auto\:"Colour when writing to a terminal and NO_COLOR is unset"
always\:"Always colour"
never\:"Never colour"))' \
'--lang=[The language\: vi (Tiếng Việt) or en. Messages follow LC_ALL, LC_MESSAGES or LANG by default (vi_VN is Vietnamese); the directory and reports, the agency'\''s documents, are Vietnamese unless asked. JSON output and exit codes are the same in both]:LANG:((vi\:"Tiếng Việt"
en\:"English"))' \
'*-v[More log output on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides it]' \
'*--verbose[More log output on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides it]' \
'(-v --verbose)-q[Print only errors and the requested output]' \
'(-v --verbose)--quiet[Print only errors and the requested output]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
'-V[Print version]' \
'--version[Print version]' \
'::path -- The staff repository folder (with --base\: inside a git clone):_files' \
&& ret=0
;;
(apply)
_arguments "${_arguments_options[@]}" : \
'--server=[The server\: \`maildir\:PATH\` (the embedded Maildir/Dovecot backend) or \`modoboa+http(s)\://HOST\[\:PORT\]\` (Modoboa'\''s REST API; settings \`?requests-per-second=N&page-size=N\`)]:URL:_default' \
'--state=[The state file (default\: beside a maildir'\''s mail, else ./mailops-state.json)]:FILE:_files' \
'--token-file=[A file holding the server'\''s API token (default\: the MAILOPS_TOKEN environment variable)]:FILE:_files' \
'--plan=[Apply this saved plan (from \`plan --out\`) instead of planning now; refused if the server changed since]:FILE:_files' \
'--credentials=[Where initial passwords are written, mode 0600 (default\: beside the state file)]:FILE:_files' \
'--audit-log=[The append-only audit log, JSON lines (default\: beside the state file)]:FILE:_files' \
'--concurrency=[Changes carried out at the same time (1 to 64)]:CONCURRENCY:_default' \
'--date=[The day to plan and apply for (YYYY-MM-DD; default today)]:DATE:_default' \
'--git=[Read the repository from this git remote (\`https\://…\`, \`ssh\://…\`, \`git@host\:path\`, \`git\://…\`, \`file\://…\` or a path) instead of a folder; the PATH argument is then the folder inside the repository]:URL:_default' \
'--ref=[The branch, tag or full commit id to apply]:REF:_default' \
'--git-cache=[Where fetched repositories are cached (later runs fetch only what is new)]:DIR:_files' \
'--git-token-file=[A file holding an HTTPS token for the remote (default\: MAILOPS_GIT_TOKEN)]:FILE:_files' \
'--git-ssh-key=[An SSH private key for the remote (default\: the SSH agent)]:FILE:_files' \
'--git-known-hosts=[The known_hosts file the SSH server'\''s host key must be in (default\: ~/.ssh/known_hosts)]:FILE:_files' \
'--verify-signatures=[Apply only commits signed by a key of this allowed-signers file, within their signer'\''s paths]:FILE:_files' \
'--attachments-postfix=[Keep this Postfix table file (e.g. /etc/postfix/mailops-attachments.pcre) equal to the policy in git]:FILE:_files' \
'--attachments-postfix-table=[The table type of --attachments-postfix]:TYPE:((pcre\:"\`pcre\:\` (Debian'\''s postfix-pcre)"
regexp\:"\`regexp\:\` (POSIX, built into every Postfix)"))' \
'--attachments-rspamd=[Keep rspamd'\''s files under this folder (e.g. /etc/rspamd) equal to the policy in git]:DIR:_files' \
'--attachments-reload=[Run this shell command after a file changed (e.g. \`postfix reload\`); retried by the next run if it fails or the run is killed first]:COMMAND:_default' \
'--log-format=[Format of log lines on stderr]:LOG_FORMAT:((text\:"Human-readable lines"
json\:"One JSON object per line"))' \
'--color=[When to use colours (NO_COLOR is respected with \`auto\`)]:COLOR:((auto\:"Colour when writing to a terminal and NO_COLOR is unset"
always\:"Always colour"
never\:"Never colour"))' \
'--lang=[The language\: vi (Tiếng Việt) or en. Messages follow LC_ALL, LC_MESSAGES or LANG by default (vi_VN is Vietnamese); the directory and reports, the agency'\''s documents, are Vietnamese unless asked. JSON output and exit codes are the same in both]:LANG:((vi\:"Tiếng Việt"
en\:"English"))' \
'(--credentials)--show-credentials[Print initial passwords once on stdout instead of writing them to a file]' \
'-y[Apply without asking. On a terminal, apply shows the plan and asks first; without one (scripts, CI) it never asks]' \
'--yes[Apply without asking. On a terminal, apply shows the plan and asks first; without one (scripts, CI) it never asks]' \
'--allow-history-rewrite[Apply a revision that does not descend from the last applied one (a force-push)]' \
'*-v[More log output on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides it]' \
'*--verbose[More log output on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides it]' \
'(-v --verbose)-q[Print only errors and the requested output]' \
'(-v --verbose)--quiet[Print only errors and the requested output]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
'-V[Print version]' \
'--version[Print version]' \
'::path -- The staff repository folder:_files' \
&& ret=0
;;
(adopt)
_arguments "${_arguments_options[@]}" : \
'--server=[The server\: \`maildir\:PATH\` (the embedded Maildir/Dovecot backend) or \`modoboa+http(s)\://HOST\[\:PORT\]\` (Modoboa'\''s REST API; settings \`?requests-per-second=N&page-size=N\`)]:URL:_default' \
'--state=[The state file (default\: beside a maildir'\''s mail, else ./mailops-state.json)]:FILE:_files' \
'--token-file=[A file holding the server'\''s API token (default\: the MAILOPS_TOKEN environment variable)]:FILE:_files' \
'--log-format=[Format of log lines on stderr]:LOG_FORMAT:((text\:"Human-readable lines"
json\:"One JSON object per line"))' \
'--color=[When to use colours (NO_COLOR is respected with \`auto\`)]:COLOR:((auto\:"Colour when writing to a terminal and NO_COLOR is unset"
always\:"Always colour"
never\:"Never colour"))' \
'--lang=[The language\: vi (Tiếng Việt) or en. Messages follow LC_ALL, LC_MESSAGES or LANG by default (vi_VN is Vietnamese); the directory and reports, the agency'\''s documents, are Vietnamese unless asked. JSON output and exit codes are the same in both]:LANG:((vi\:"Tiếng Việt"
en\:"English"))' \
'--dry-run[Show what would be adopted without writing the state file]' \
'*-v[More log output on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides it]' \
'*--verbose[More log output on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides it]' \
'(-v --verbose)-q[Print only errors and the requested output]' \
'(-v --verbose)--quiet[Print only errors and the requested output]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
'-V[Print version]' \
'--version[Print version]' \
'::path -- The staff repository folder:_files' \
&& ret=0
;;
(import)
_arguments "${_arguments_options[@]}" : \
'--server=[Read the accounts of this server\: \`maildir\:PATH\` or \`modoboa+http(s)\://HOST\[\:PORT\]\`. Never written to]:URL:_default' \
'--from=[Read the staff list\: .csv, .xlsx, .xls or .ods, with Vietnamese or English headers (the appendix'\''s \`Tài khoản người dùng, Họ và tên, Chức vụ, Email dự phòng\`), a unit column or unit heading rows]:FILE:_files' \
'--out=[The folder to write the repository to (new or empty)]:DIR:_files' \
'--short-name=[The agency'\''s short name (\`bdt\`); guessed from the agency mailbox otherwise, and marked for review]:NAME:_default' \
'--display-name=[The agency'\''s official name (\`Ban Dân tộc tỉnh Bình Thuận\`)]:TEXT:_default' \
'--naming-domain=[The domain of personal addresses (rule II.2), when not the one most accounts follow the rule in]:DOMAIN:_default' \
'*--shared=[An agency mailbox, with its owner (the head of the agency) by address or metadata.name. Needed for a server that does not record who may use a mailbox (Modoboa). Repeatable]:ADDRESS[=OWNER]:_default' \
'*--domain=[Import only these domains of the server (default\: all). Repeatable]:DOMAIN:_default' \
'--state=[The state file to fill (default\: beside a maildir'\''s mail, else ./mailops-state.json)]:FILE:_files' \
'--token-file=[A file holding the server'\''s API token (default\: the MAILOPS_TOKEN environment variable)]:FILE:_files' \
'-o+[Report format (json\: the report, the files written and the plan'\''s change count)]:OUTPUT:((text\:"For people"
json\:"For machines (versioned, documented in README)"))' \
'--output=[Report format (json\: the report, the files written and the plan'\''s change count)]:OUTPUT:((text\:"For people"
json\:"For machines (versioned, documented in README)"))' \
'--log-format=[Format of log lines on stderr]:LOG_FORMAT:((text\:"Human-readable lines"
json\:"One JSON object per line"))' \
'--color=[When to use colours (NO_COLOR is respected with \`auto\`)]:COLOR:((auto\:"Colour when writing to a terminal and NO_COLOR is unset"
always\:"Always colour"
never\:"Never colour"))' \
'--lang=[The language\: vi (Tiếng Việt) or en. Messages follow LC_ALL, LC_MESSAGES or LANG by default (vi_VN is Vietnamese); the directory and reports, the agency'\''s documents, are Vietnamese unless asked. JSON output and exit codes are the same in both]:LANG:((vi\:"Tiếng Việt"
en\:"English"))' \
'--force[Write into a folder that is not empty\: files of the same name are replaced, others are kept]' \
'*-v[More log output on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides it]' \
'*--verbose[More log output on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides it]' \
'(-v --verbose)-q[Print only errors and the requested output]' \
'(-v --verbose)--quiet[Print only errors and the requested output]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
'-V[Print version]' \
'--version[Print version]' \
&& ret=0
;;
(report)
_arguments "${_arguments_options[@]}" : \
'--log-format=[Format of log lines on stderr]:LOG_FORMAT:((text\:"Human-readable lines"
json\:"One JSON object per line"))' \
'--color=[When to use colours (NO_COLOR is respected with \`auto\`)]:COLOR:((auto\:"Colour when writing to a terminal and NO_COLOR is unset"
always\:"Always colour"
never\:"Never colour"))' \
'--lang=[The language\: vi (Tiếng Việt) or en. Messages follow LC_ALL, LC_MESSAGES or LANG by default (vi_VN is Vietnamese); the directory and reports, the agency'\''s documents, are Vietnamese unless asked. JSON output and exit codes are the same in both]:LANG:((vi\:"Tiếng Việt"
en\:"English"))' \
'*-v[More log output on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides it]' \
'*--verbose[More log output on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides it]' \
'(-v --verbose)-q[Print only errors and the requested output]' \
'(-v --verbose)--quiet[Print only errors and the requested output]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
'-V[Print version]' \
'--version[Print version]' \
":: :_mailops__subcmd__report_commands" \
"*::: :->report" \
&& ret=0

    case $state in
    (report)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:mailops-report-command-$line[1]:"
        case $line[1] in
            (usage)
_arguments "${_arguments_options[@]}" : \
'--server=[The server\: \`maildir\:PATH\` (the embedded Maildir/Dovecot backend) or \`modoboa+http(s)\://HOST\[\:PORT\]\` (Modoboa'\''s REST API; settings \`?requests-per-second=N&page-size=N\`)]:URL:_default' \
'--state=[The state file (default\: beside a maildir'\''s mail, else ./mailops-state.json)]:FILE:_files' \
'--token-file=[A file holding the server'\''s API token (default\: the MAILOPS_TOKEN environment variable)]:FILE:_files' \
'--on=[The day reported on (YYYY-MM-DD; default today in the agency'\''s time)]:DATE:_default' \
'-f+[Output format]:FORMAT:((markdown\:"Markdown, for a pull request or an e-mail"
csv\:"CSV, one row per person"
html\:"A standalone page, printable on A4"
json\:"JSON, versioned (README)"))' \
'--format=[Output format]:FORMAT:((markdown\:"Markdown, for a pull request or an e-mail"
csv\:"CSV, one row per person"
html\:"A standalone page, printable on A4"
json\:"JSON, versioned (README)"))' \
'-o+[Write to this file instead of stdout]:FILE:_files' \
'--out=[Write to this file instead of stdout]:FILE:_files' \
'--log-format=[Format of log lines on stderr]:LOG_FORMAT:((text\:"Human-readable lines"
json\:"One JSON object per line"))' \
'--color=[When to use colours (NO_COLOR is respected with \`auto\`)]:COLOR:((auto\:"Colour when writing to a terminal and NO_COLOR is unset"
always\:"Always colour"
never\:"Never colour"))' \
'--lang=[The language\: vi (Tiếng Việt) or en. Messages follow LC_ALL, LC_MESSAGES or LANG by default (vi_VN is Vietnamese); the directory and reports, the agency'\''s documents, are Vietnamese unless asked. JSON output and exit codes are the same in both]:LANG:((vi\:"Tiếng Việt"
en\:"English"))' \
'*-v[More log output on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides it]' \
'*--verbose[More log output on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides it]' \
'(-v --verbose)-q[Print only errors and the requested output]' \
'(-v --verbose)--quiet[Print only errors and the requested output]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
'-V[Print version]' \
'--version[Print version]' \
'::path -- The staff repository folder:_files' \
&& ret=0
;;
(help)
_arguments "${_arguments_options[@]}" : \
":: :_mailops__subcmd__report__subcmd__help_commands" \
"*::: :->help" \
&& ret=0

    case $state in
    (help)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:mailops-report-help-command-$line[1]:"
        case $line[1] in
            (usage)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(help)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
        esac
    ;;
esac
;;
        esac
    ;;
esac
;;
(render)
_arguments "${_arguments_options[@]}" : \
'--log-format=[Format of log lines on stderr]:LOG_FORMAT:((text\:"Human-readable lines"
json\:"One JSON object per line"))' \
'--color=[When to use colours (NO_COLOR is respected with \`auto\`)]:COLOR:((auto\:"Colour when writing to a terminal and NO_COLOR is unset"
always\:"Always colour"
never\:"Never colour"))' \
'--lang=[The language\: vi (Tiếng Việt) or en. Messages follow LC_ALL, LC_MESSAGES or LANG by default (vi_VN is Vietnamese); the directory and reports, the agency'\''s documents, are Vietnamese unless asked. JSON output and exit codes are the same in both]:LANG:((vi\:"Tiếng Việt"
en\:"English"))' \
'*-v[More log output on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides it]' \
'*--verbose[More log output on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides it]' \
'(-v --verbose)-q[Print only errors and the requested output]' \
'(-v --verbose)--quiet[Print only errors and the requested output]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
'-V[Print version]' \
'--version[Print version]' \
":: :_mailops__subcmd__render_commands" \
"*::: :->render" \
&& ret=0

    case $state in
    (render)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:mailops-render-command-$line[1]:"
        case $line[1] in
            (attachments)
_arguments "${_arguments_options[@]}" : \
'--for=[The server the configuration is for]:TARGET:((postfix\:"A Postfix \`mime_header_checks\` table"
rspamd\:"rspamd'\''s \`local.d/\` files (mime_types.conf, force_actions.conf, rspamd.lua)"))' \
'--table=[Postfix'\''s table type\: \`pcre\` (Debian'\''s postfix-pcre) or \`regexp\` (built in)]:TABLE:((pcre\:"\`pcre\:\` (Debian'\''s postfix-pcre)"
regexp\:"\`regexp\:\` (POSIX, built into every Postfix)"))' \
'-o+[Write there instead of stdout\: the table file for Postfix, rspamd'\''s configuration folder (e.g. /etc/rspamd) for rspamd. A file there that mailops did not write is never replaced]:PATH:_files' \
'--out=[Write there instead of stdout\: the table file for Postfix, rspamd'\''s configuration folder (e.g. /etc/rspamd) for rspamd. A file there that mailops did not write is never replaced]:PATH:_files' \
'--log-format=[Format of log lines on stderr]:LOG_FORMAT:((text\:"Human-readable lines"
json\:"One JSON object per line"))' \
'--color=[When to use colours (NO_COLOR is respected with \`auto\`)]:COLOR:((auto\:"Colour when writing to a terminal and NO_COLOR is unset"
always\:"Always colour"
never\:"Never colour"))' \
'--lang=[The language\: vi (Tiếng Việt) or en. Messages follow LC_ALL, LC_MESSAGES or LANG by default (vi_VN is Vietnamese); the directory and reports, the agency'\''s documents, are Vietnamese unless asked. JSON output and exit codes are the same in both]:LANG:((vi\:"Tiếng Việt"
en\:"English"))' \
'*-v[More log output on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides it]' \
'*--verbose[More log output on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides it]' \
'(-v --verbose)-q[Print only errors and the requested output]' \
'(-v --verbose)--quiet[Print only errors and the requested output]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
'-V[Print version]' \
'--version[Print version]' \
'::path -- The staff repository:_files' \
&& ret=0
;;
(help)
_arguments "${_arguments_options[@]}" : \
":: :_mailops__subcmd__render__subcmd__help_commands" \
"*::: :->help" \
&& ret=0

    case $state in
    (help)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:mailops-render-help-command-$line[1]:"
        case $line[1] in
            (attachments)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(help)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
        esac
    ;;
esac
;;
        esac
    ;;
esac
;;
(crd)
_arguments "${_arguments_options[@]}" : \
'--out=[Write the CRDs to this folder (one file per kind); without it, print them as one YAML stream]:DIR:_files' \
'--log-format=[Format of log lines on stderr]:LOG_FORMAT:((text\:"Human-readable lines"
json\:"One JSON object per line"))' \
'--color=[When to use colours (NO_COLOR is respected with \`auto\`)]:COLOR:((auto\:"Colour when writing to a terminal and NO_COLOR is unset"
always\:"Always colour"
never\:"Never colour"))' \
'--lang=[The language\: vi (Tiếng Việt) or en. Messages follow LC_ALL, LC_MESSAGES or LANG by default (vi_VN is Vietnamese); the directory and reports, the agency'\''s documents, are Vietnamese unless asked. JSON output and exit codes are the same in both]:LANG:((vi\:"Tiếng Việt"
en\:"English"))' \
'*-v[More log output on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides it]' \
'*--verbose[More log output on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides it]' \
'(-v --verbose)-q[Print only errors and the requested output]' \
'(-v --verbose)--quiet[Print only errors and the requested output]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
'-V[Print version]' \
'--version[Print version]' \
&& ret=0
;;
(capabilities)
_arguments "${_arguments_options[@]}" : \
'--log-format=[Format of log lines on stderr]:LOG_FORMAT:((text\:"Human-readable lines"
json\:"One JSON object per line"))' \
'--color=[When to use colours (NO_COLOR is respected with \`auto\`)]:COLOR:((auto\:"Colour when writing to a terminal and NO_COLOR is unset"
always\:"Always colour"
never\:"Never colour"))' \
'--lang=[The language\: vi (Tiếng Việt) or en. Messages follow LC_ALL, LC_MESSAGES or LANG by default (vi_VN is Vietnamese); the directory and reports, the agency'\''s documents, are Vietnamese unless asked. JSON output and exit codes are the same in both]:LANG:((vi\:"Tiếng Việt"
en\:"English"))' \
'*-v[More log output on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides it]' \
'*--verbose[More log output on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides it]' \
'(-v --verbose)-q[Print only errors and the requested output]' \
'(-v --verbose)--quiet[Print only errors and the requested output]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
'-V[Print version]' \
'--version[Print version]' \
&& ret=0
;;
(schema)
_arguments "${_arguments_options[@]}" : \
'--log-format=[Format of log lines on stderr]:LOG_FORMAT:((text\:"Human-readable lines"
json\:"One JSON object per line"))' \
'--color=[When to use colours (NO_COLOR is respected with \`auto\`)]:COLOR:((auto\:"Colour when writing to a terminal and NO_COLOR is unset"
always\:"Always colour"
never\:"Never colour"))' \
'--lang=[The language\: vi (Tiếng Việt) or en. Messages follow LC_ALL, LC_MESSAGES or LANG by default (vi_VN is Vietnamese); the directory and reports, the agency'\''s documents, are Vietnamese unless asked. JSON output and exit codes are the same in both]:LANG:((vi\:"Tiếng Việt"
en\:"English"))' \
'*-v[More log output on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides it]' \
'*--verbose[More log output on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides it]' \
'(-v --verbose)-q[Print only errors and the requested output]' \
'(-v --verbose)--quiet[Print only errors and the requested output]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
'-V[Print version]' \
'--version[Print version]' \
&& ret=0
;;
(verify)
_arguments "${_arguments_options[@]}" : \
'--allowed-signers=[The allowed-signers file (git'\''s \`gpg.ssh.allowedSignersFile\` format; \`mailops-paths="…"\` limits a signer to paths)]:FILE:_files' \
'--since=[The last commit already trusted (e.g. the one last applied)\: every commit after it is checked. Without it, only \`--rev\` is checked, and its signer must be allowed to change everything]:REV:_default' \
'--rev=[The commit to check up to]:REV:_default' \
'--log-format=[Format of log lines on stderr]:LOG_FORMAT:((text\:"Human-readable lines"
json\:"One JSON object per line"))' \
'--color=[When to use colours (NO_COLOR is respected with \`auto\`)]:COLOR:((auto\:"Colour when writing to a terminal and NO_COLOR is unset"
always\:"Always colour"
never\:"Never colour"))' \
'--lang=[The language\: vi (Tiếng Việt) or en. Messages follow LC_ALL, LC_MESSAGES or LANG by default (vi_VN is Vietnamese); the directory and reports, the agency'\''s documents, are Vietnamese unless asked. JSON output and exit codes are the same in both]:LANG:((vi\:"Tiếng Việt"
en\:"English"))' \
'*-v[More log output on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides it]' \
'*--verbose[More log output on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides it]' \
'(-v --verbose)-q[Print only errors and the requested output]' \
'(-v --verbose)--quiet[Print only errors and the requested output]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
'-V[Print version]' \
'--version[Print version]' \
'::path -- A folder inside the git clone:_files' \
&& ret=0
;;
(watch)
_arguments "${_arguments_options[@]}" : \
'--server=[The server\: \`maildir\:PATH\` (the embedded Maildir/Dovecot backend) or \`modoboa+http(s)\://HOST\[\:PORT\]\` (Modoboa'\''s REST API; settings \`?requests-per-second=N&page-size=N\`)]:URL:_default' \
'--state=[The state file (default\: beside a maildir'\''s mail, else ./mailops-state.json)]:FILE:_files' \
'--token-file=[A file holding the server'\''s API token (default\: the MAILOPS_TOKEN environment variable)]:FILE:_files' \
'--git=[Read the repository from this git remote (\`https\://…\`, \`ssh\://…\`, \`git@host\:path\`, \`git\://…\`, \`file\://…\` or a path) instead of a folder; the PATH argument is then the folder inside the repository]:URL:_default' \
'--ref=[The branch, tag or full commit id to apply]:REF:_default' \
'--git-cache=[Where fetched repositories are cached (later runs fetch only what is new)]:DIR:_files' \
'--git-token-file=[A file holding an HTTPS token for the remote (default\: MAILOPS_GIT_TOKEN)]:FILE:_files' \
'--git-ssh-key=[An SSH private key for the remote (default\: the SSH agent)]:FILE:_files' \
'--git-known-hosts=[The known_hosts file the SSH server'\''s host key must be in (default\: ~/.ssh/known_hosts)]:FILE:_files' \
'--verify-signatures=[Apply only commits signed by a key of this allowed-signers file, within their signer'\''s paths]:FILE:_files' \
'--credentials=[Where initial passwords are written, mode 0600 (default\: beside the state file)]:FILE:_files' \
'--audit-log=[The append-only audit log, JSON lines (default\: beside the state file)]:FILE:_files' \
'--concurrency=[Changes carried out at the same time (1 to 64)]:CONCURRENCY:_default' \
'--interval=[How often to fetch the source and re-read the server (e.g. \`30s\`, \`5m\`; 1s to 24h)]:DURATION:_default' \
'--drift=[Changes made on the server by hand\: \`report\` them, or \`heal\` them back to the desired state]:DRIFT:((report\:"Report them (status, metrics, log) and leave them as they are"
heal\:"Restore the desired state"))' \
'--listen=[The HTTP endpoint (health, readiness, metrics, status, webhooks)]:ADDR:_default' \
'--webhook-secret-file=[A file holding the webhook secret (default\: MAILOPS_WEBHOOK_SECRET; without one, webhooks are refused)]:FILE:_files' \
'--max-backoff=[The longest wait between retries after failures (1s to 24h)]:DURATION:_default' \
'--attachments-postfix=[Keep this Postfix table file (e.g. /etc/postfix/mailops-attachments.pcre) equal to the policy in git]:FILE:_files' \
'--attachments-postfix-table=[The table type of --attachments-postfix]:TYPE:((pcre\:"\`pcre\:\` (Debian'\''s postfix-pcre)"
regexp\:"\`regexp\:\` (POSIX, built into every Postfix)"))' \
'--attachments-rspamd=[Keep rspamd'\''s files under this folder (e.g. /etc/rspamd) equal to the policy in git]:DIR:_files' \
'--attachments-reload=[Run this shell command after a file changed (e.g. \`postfix reload\`); retried by the next run if it fails or the run is killed first]:COMMAND:_default' \
'--log-format=[Format of log lines on stderr]:LOG_FORMAT:((text\:"Human-readable lines"
json\:"One JSON object per line"))' \
'--color=[When to use colours (NO_COLOR is respected with \`auto\`)]:COLOR:((auto\:"Colour when writing to a terminal and NO_COLOR is unset"
always\:"Always colour"
never\:"Never colour"))' \
'--lang=[The language\: vi (Tiếng Việt) or en. Messages follow LC_ALL, LC_MESSAGES or LANG by default (vi_VN is Vietnamese); the directory and reports, the agency'\''s documents, are Vietnamese unless asked. JSON output and exit codes are the same in both]:LANG:((vi\:"Tiếng Việt"
en\:"English"))' \
'--allow-history-rewrite[Apply a revision that does not descend from the last applied one (a force-push)]' \
'*-v[More log output on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides it]' \
'*--verbose[More log output on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides it]' \
'(-v --verbose)-q[Print only errors and the requested output]' \
'(-v --verbose)--quiet[Print only errors and the requested output]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
'-V[Print version]' \
'--version[Print version]' \
'::path -- The staff repository folder:_files' \
&& ret=0
;;
(operator)
_arguments "${_arguments_options[@]}" : \
'--listen=[The HTTP endpoint (/healthz, /readyz, /metrics, /status); in a pod, \`0.0.0.0\:9187\` for the probes]:ADDR:_default' \
'--requeue=[Time between reconciles of a namespace (changes made on the server by hand, grace periods; 1s to 24h)]:DURATION:_default' \
'--max-backoff=[The longest wait between retries after failures (1s to 24h)]:DURATION:_default' \
'--concurrency=[Namespaces reconciled at the same time (a namespace is never reconciled twice at once)]:N:_default' \
'--changes-per-namespace=[Changes carried out at the same time within a namespace]:N:_default' \
'--shard=[Reconcile only shard N of M (0-based)\: a namespace'\''s shard is its label \`mailops.dev/shard\`, or a hash of its name. Each shard runs its own replicas (with --leader-elect, a Lease per shard)]:N/M:_default' \
'--lease-namespace=[The Lease'\''s namespace]:LEASE_NAMESPACE:_default' \
'--lease-name=[The Lease'\''s name]:LEASE_NAME:_default' \
'--identity=[This replica'\''s identity (the pod name)]:IDENTITY:_default' \
'--log-format=[Format of log lines on stderr]:LOG_FORMAT:((text\:"Human-readable lines"
json\:"One JSON object per line"))' \
'--color=[When to use colours (NO_COLOR is respected with \`auto\`)]:COLOR:((auto\:"Colour when writing to a terminal and NO_COLOR is unset"
always\:"Always colour"
never\:"Never colour"))' \
'--lang=[The language\: vi (Tiếng Việt) or en. Messages follow LC_ALL, LC_MESSAGES or LANG by default (vi_VN is Vietnamese); the directory and reports, the agency'\''s documents, are Vietnamese unless asked. JSON output and exit codes are the same in both]:LANG:((vi\:"Tiếng Việt"
en\:"English"))' \
'--leader-elect[Hold a Lease before reconciling, for more than one replica]' \
'*-v[More log output on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides it]' \
'*--verbose[More log output on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides it]' \
'(-v --verbose)-q[Print only errors and the requested output]' \
'(-v --verbose)--quiet[Print only errors and the requested output]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
'-V[Print version]' \
'--version[Print version]' \
&& ret=0
;;
(completions)
_arguments "${_arguments_options[@]}" : \
'--log-format=[Format of log lines on stderr]:LOG_FORMAT:((text\:"Human-readable lines"
json\:"One JSON object per line"))' \
'--color=[When to use colours (NO_COLOR is respected with \`auto\`)]:COLOR:((auto\:"Colour when writing to a terminal and NO_COLOR is unset"
always\:"Always colour"
never\:"Never colour"))' \
'--lang=[The language\: vi (Tiếng Việt) or en. Messages follow LC_ALL, LC_MESSAGES or LANG by default (vi_VN is Vietnamese); the directory and reports, the agency'\''s documents, are Vietnamese unless asked. JSON output and exit codes are the same in both]:LANG:((vi\:"Tiếng Việt"
en\:"English"))' \
'*-v[More log output on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides it]' \
'*--verbose[More log output on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides it]' \
'(-v --verbose)-q[Print only errors and the requested output]' \
'(-v --verbose)--quiet[Print only errors and the requested output]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
'-V[Print version]' \
'--version[Print version]' \
':shell -- The shell\: bash, zsh, fish, powershell or elvish:(bash elvish fish powershell zsh)' \
&& ret=0
;;
(man)
_arguments "${_arguments_options[@]}" : \
'--out=[Write the pages to this folder\: mailops.1 and one mailops-SUBCOMMAND.1 per subcommand]:DIR:_files' \
'--log-format=[Format of log lines on stderr]:LOG_FORMAT:((text\:"Human-readable lines"
json\:"One JSON object per line"))' \
'--color=[When to use colours (NO_COLOR is respected with \`auto\`)]:COLOR:((auto\:"Colour when writing to a terminal and NO_COLOR is unset"
always\:"Always colour"
never\:"Never colour"))' \
'--lang=[The language\: vi (Tiếng Việt) or en. Messages follow LC_ALL, LC_MESSAGES or LANG by default (vi_VN is Vietnamese); the directory and reports, the agency'\''s documents, are Vietnamese unless asked. JSON output and exit codes are the same in both]:LANG:((vi\:"Tiếng Việt"
en\:"English"))' \
'*-v[More log output on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides it]' \
'*--verbose[More log output on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides it]' \
'(-v --verbose)-q[Print only errors and the requested output]' \
'(-v --verbose)--quiet[Print only errors and the requested output]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
'-V[Print version]' \
'--version[Print version]' \
&& ret=0
;;
(help)
_arguments "${_arguments_options[@]}" : \
":: :_mailops__subcmd__help_commands" \
"*::: :->help" \
&& ret=0

    case $state in
    (help)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:mailops-help-command-$line[1]:"
        case $line[1] in
            (validate)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(address)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(directory)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(plan)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(apply)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(adopt)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(import)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(report)
_arguments "${_arguments_options[@]}" : \
":: :_mailops__subcmd__help__subcmd__report_commands" \
"*::: :->report" \
&& ret=0

    case $state in
    (report)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:mailops-help-report-command-$line[1]:"
        case $line[1] in
            (usage)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
        esac
    ;;
esac
;;
(render)
_arguments "${_arguments_options[@]}" : \
":: :_mailops__subcmd__help__subcmd__render_commands" \
"*::: :->render" \
&& ret=0

    case $state in
    (render)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:mailops-help-render-command-$line[1]:"
        case $line[1] in
            (attachments)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
        esac
    ;;
esac
;;
(crd)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(capabilities)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(schema)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(verify)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(watch)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(operator)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(completions)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(man)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(help)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
        esac
    ;;
esac
;;
        esac
    ;;
esac
}

(( $+functions[_mailops_commands] )) ||
_mailops_commands() {
    local commands; commands=(
'validate:Check a staff repository\: syntax, naming policy, references, addresses. Reports every problem at once' \
'address:Derive the address of a person from the full name (rule II.2) and, with --repo, check it is free' \
'directory:Print the staff directory (rule II.3)\: grouped by unit, with account, full name, title, backup e-mail' \
'plan:Show what a change to the staff repository would do\: who is created, renamed, updated, suspended, deleted, and who gains or loses access' \
'apply:Carry out the plan on the server\: creations, renames (mail kept), updates, access changes, staged removals. Initial passwords go to a 0600 file; every change goes to the audit log' \
'adopt:Rebuild the inventory (what mailops manages) from the repository and the server\: every account whose address a Mailbox or SharedMailbox asks for is adopted; others stay unmanaged and are never touched' \
'import:Write a repository from what a server holds and from the staff list (.csv, .xlsx, .xls, .ods)\: valid as written, planning to no changes, with a report of what to review against rule II.2. Never writes to the server; fills the state file as \`adopt\` does' \
'report:Reports from the repository and the server\: \`report usage\` (rules III.4 and V.1\: who checked mail). Read-only' \
'render:Render configuration for the mail server from the repository\: \`render attachments --for postfix|rspamd\` (rule III.3). \`apply\` and \`watch\` keep such files in force with their --attachments-* flags' \
'crd:Write the Kubernetes CustomResourceDefinitions (Mailbox, SharedMailbox, Organization, MailServer), generated from the same spec types as the manifests\: \`mailops crd --out crds/\`' \
'capabilities:Print what each backend can do (rename keeps mail, suspend, delegation, quotas, last login, bulk creation…), as the README'\''s matrix; a change a backend cannot do shows as blocked in the plan' \
'schema:Print the JSON Schema of manifest files (for editors\: \`# yaml-language-server\: \$schema=…\`)' \
'verify:Check that commits are signed by allowed signers (SSH signatures, git'\''s allowed-signers format), each within the paths its signer may change' \
'watch:The GitOps controller\: apply every new good revision of a git reference (or a folder), check the server for changes made by hand at every interval, and serve health, metrics, status and webhooks' \
'operator:Kubernetes CRD mode\: reconcile the Mailbox, SharedMailbox and Organization resources of every namespace against the namespace'\''s MailServer, with finalizers, Events, statuses and the same safety as git mode. Serves /healthz, /readyz and /metrics; \`--leader-elect\` for more than one replica' \
'completions:Print the shell completion script\: \`mailops completions bash > /etc/bash_completion.d/mailops\` (also zsh, fish, powershell, elvish)' \
'man:Write the manual pages (mailops.1 and one per subcommand)\: \`mailops man --out /usr/local/share/man/man1\`' \
'help:Print this message or the help of the given subcommand(s)' \
    )
    _describe -t commands 'mailops commands' commands "$@"
}
(( $+functions[_mailops__subcmd__address_commands] )) ||
_mailops__subcmd__address_commands() {
    local commands; commands=()
    _describe -t commands 'mailops address commands' commands "$@"
}
(( $+functions[_mailops__subcmd__adopt_commands] )) ||
_mailops__subcmd__adopt_commands() {
    local commands; commands=()
    _describe -t commands 'mailops adopt commands' commands "$@"
}
(( $+functions[_mailops__subcmd__apply_commands] )) ||
_mailops__subcmd__apply_commands() {
    local commands; commands=()
    _describe -t commands 'mailops apply commands' commands "$@"
}
(( $+functions[_mailops__subcmd__capabilities_commands] )) ||
_mailops__subcmd__capabilities_commands() {
    local commands; commands=()
    _describe -t commands 'mailops capabilities commands' commands "$@"
}
(( $+functions[_mailops__subcmd__completions_commands] )) ||
_mailops__subcmd__completions_commands() {
    local commands; commands=()
    _describe -t commands 'mailops completions commands' commands "$@"
}
(( $+functions[_mailops__subcmd__crd_commands] )) ||
_mailops__subcmd__crd_commands() {
    local commands; commands=()
    _describe -t commands 'mailops crd commands' commands "$@"
}
(( $+functions[_mailops__subcmd__directory_commands] )) ||
_mailops__subcmd__directory_commands() {
    local commands; commands=()
    _describe -t commands 'mailops directory commands' commands "$@"
}
(( $+functions[_mailops__subcmd__help_commands] )) ||
_mailops__subcmd__help_commands() {
    local commands; commands=(
'validate:Check a staff repository\: syntax, naming policy, references, addresses. Reports every problem at once' \
'address:Derive the address of a person from the full name (rule II.2) and, with --repo, check it is free' \
'directory:Print the staff directory (rule II.3)\: grouped by unit, with account, full name, title, backup e-mail' \
'plan:Show what a change to the staff repository would do\: who is created, renamed, updated, suspended, deleted, and who gains or loses access' \
'apply:Carry out the plan on the server\: creations, renames (mail kept), updates, access changes, staged removals. Initial passwords go to a 0600 file; every change goes to the audit log' \
'adopt:Rebuild the inventory (what mailops manages) from the repository and the server\: every account whose address a Mailbox or SharedMailbox asks for is adopted; others stay unmanaged and are never touched' \
'import:Write a repository from what a server holds and from the staff list (.csv, .xlsx, .xls, .ods)\: valid as written, planning to no changes, with a report of what to review against rule II.2. Never writes to the server; fills the state file as \`adopt\` does' \
'report:Reports from the repository and the server\: \`report usage\` (rules III.4 and V.1\: who checked mail). Read-only' \
'render:Render configuration for the mail server from the repository\: \`render attachments --for postfix|rspamd\` (rule III.3). \`apply\` and \`watch\` keep such files in force with their --attachments-* flags' \
'crd:Write the Kubernetes CustomResourceDefinitions (Mailbox, SharedMailbox, Organization, MailServer), generated from the same spec types as the manifests\: \`mailops crd --out crds/\`' \
'capabilities:Print what each backend can do (rename keeps mail, suspend, delegation, quotas, last login, bulk creation…), as the README'\''s matrix; a change a backend cannot do shows as blocked in the plan' \
'schema:Print the JSON Schema of manifest files (for editors\: \`# yaml-language-server\: \$schema=…\`)' \
'verify:Check that commits are signed by allowed signers (SSH signatures, git'\''s allowed-signers format), each within the paths its signer may change' \
'watch:The GitOps controller\: apply every new good revision of a git reference (or a folder), check the server for changes made by hand at every interval, and serve health, metrics, status and webhooks' \
'operator:Kubernetes CRD mode\: reconcile the Mailbox, SharedMailbox and Organization resources of every namespace against the namespace'\''s MailServer, with finalizers, Events, statuses and the same safety as git mode. Serves /healthz, /readyz and /metrics; \`--leader-elect\` for more than one replica' \
'completions:Print the shell completion script\: \`mailops completions bash > /etc/bash_completion.d/mailops\` (also zsh, fish, powershell, elvish)' \
'man:Write the manual pages (mailops.1 and one per subcommand)\: \`mailops man --out /usr/local/share/man/man1\`' \
'help:Print this message or the help of the given subcommand(s)' \
    )
    _describe -t commands 'mailops help commands' commands "$@"
}
(( $+functions[_mailops__subcmd__help__subcmd__address_commands] )) ||
_mailops__subcmd__help__subcmd__address_commands() {
    local commands; commands=()
    _describe -t commands 'mailops help address commands' commands "$@"
}
(( $+functions[_mailops__subcmd__help__subcmd__adopt_commands] )) ||
_mailops__subcmd__help__subcmd__adopt_commands() {
    local commands; commands=()
    _describe -t commands 'mailops help adopt commands' commands "$@"
}
(( $+functions[_mailops__subcmd__help__subcmd__apply_commands] )) ||
_mailops__subcmd__help__subcmd__apply_commands() {
    local commands; commands=()
    _describe -t commands 'mailops help apply commands' commands "$@"
}
(( $+functions[_mailops__subcmd__help__subcmd__capabilities_commands] )) ||
_mailops__subcmd__help__subcmd__capabilities_commands() {
    local commands; commands=()
    _describe -t commands 'mailops help capabilities commands' commands "$@"
}
(( $+functions[_mailops__subcmd__help__subcmd__completions_commands] )) ||
_mailops__subcmd__help__subcmd__completions_commands() {
    local commands; commands=()
    _describe -t commands 'mailops help completions commands' commands "$@"
}
(( $+functions[_mailops__subcmd__help__subcmd__crd_commands] )) ||
_mailops__subcmd__help__subcmd__crd_commands() {
    local commands; commands=()
    _describe -t commands 'mailops help crd commands' commands "$@"
}
(( $+functions[_mailops__subcmd__help__subcmd__directory_commands] )) ||
_mailops__subcmd__help__subcmd__directory_commands() {
    local commands; commands=()
    _describe -t commands 'mailops help directory commands' commands "$@"
}
(( $+functions[_mailops__subcmd__help__subcmd__help_commands] )) ||
_mailops__subcmd__help__subcmd__help_commands() {
    local commands; commands=()
    _describe -t commands 'mailops help help commands' commands "$@"
}
(( $+functions[_mailops__subcmd__help__subcmd__import_commands] )) ||
_mailops__subcmd__help__subcmd__import_commands() {
    local commands; commands=()
    _describe -t commands 'mailops help import commands' commands "$@"
}
(( $+functions[_mailops__subcmd__help__subcmd__man_commands] )) ||
_mailops__subcmd__help__subcmd__man_commands() {
    local commands; commands=()
    _describe -t commands 'mailops help man commands' commands "$@"
}
(( $+functions[_mailops__subcmd__help__subcmd__operator_commands] )) ||
_mailops__subcmd__help__subcmd__operator_commands() {
    local commands; commands=()
    _describe -t commands 'mailops help operator commands' commands "$@"
}
(( $+functions[_mailops__subcmd__help__subcmd__plan_commands] )) ||
_mailops__subcmd__help__subcmd__plan_commands() {
    local commands; commands=()
    _describe -t commands 'mailops help plan commands' commands "$@"
}
(( $+functions[_mailops__subcmd__help__subcmd__render_commands] )) ||
_mailops__subcmd__help__subcmd__render_commands() {
    local commands; commands=(
'attachments:The attachment policy (rule III.3, the Organization'\''s \`attachments\`)' \
    )
    _describe -t commands 'mailops help render commands' commands "$@"
}
(( $+functions[_mailops__subcmd__help__subcmd__render__subcmd__attachments_commands] )) ||
_mailops__subcmd__help__subcmd__render__subcmd__attachments_commands() {
    local commands; commands=()
    _describe -t commands 'mailops help render attachments commands' commands "$@"
}
(( $+functions[_mailops__subcmd__help__subcmd__report_commands] )) ||
_mailops__subcmd__help__subcmd__report_commands() {
    local commands; commands=(
'usage:Who checked mail (rule III.4), per unit and per person, from the server'\''s last logins; for the periodic reports to the provincial department (rule V.1). Never writes to the server' \
    )
    _describe -t commands 'mailops help report commands' commands "$@"
}
(( $+functions[_mailops__subcmd__help__subcmd__report__subcmd__usage_commands] )) ||
_mailops__subcmd__help__subcmd__report__subcmd__usage_commands() {
    local commands; commands=()
    _describe -t commands 'mailops help report usage commands' commands "$@"
}
(( $+functions[_mailops__subcmd__help__subcmd__schema_commands] )) ||
_mailops__subcmd__help__subcmd__schema_commands() {
    local commands; commands=()
    _describe -t commands 'mailops help schema commands' commands "$@"
}
(( $+functions[_mailops__subcmd__help__subcmd__validate_commands] )) ||
_mailops__subcmd__help__subcmd__validate_commands() {
    local commands; commands=()
    _describe -t commands 'mailops help validate commands' commands "$@"
}
(( $+functions[_mailops__subcmd__help__subcmd__verify_commands] )) ||
_mailops__subcmd__help__subcmd__verify_commands() {
    local commands; commands=()
    _describe -t commands 'mailops help verify commands' commands "$@"
}
(( $+functions[_mailops__subcmd__help__subcmd__watch_commands] )) ||
_mailops__subcmd__help__subcmd__watch_commands() {
    local commands; commands=()
    _describe -t commands 'mailops help watch commands' commands "$@"
}
(( $+functions[_mailops__subcmd__import_commands] )) ||
_mailops__subcmd__import_commands() {
    local commands; commands=()
    _describe -t commands 'mailops import commands' commands "$@"
}
(( $+functions[_mailops__subcmd__man_commands] )) ||
_mailops__subcmd__man_commands() {
    local commands; commands=()
    _describe -t commands 'mailops man commands' commands "$@"
}
(( $+functions[_mailops__subcmd__operator_commands] )) ||
_mailops__subcmd__operator_commands() {
    local commands; commands=()
    _describe -t commands 'mailops operator commands' commands "$@"
}
(( $+functions[_mailops__subcmd__plan_commands] )) ||
_mailops__subcmd__plan_commands() {
    local commands; commands=()
    _describe -t commands 'mailops plan commands' commands "$@"
}
(( $+functions[_mailops__subcmd__render_commands] )) ||
_mailops__subcmd__render_commands() {
    local commands; commands=(
'attachments:The attachment policy (rule III.3, the Organization'\''s \`attachments\`)' \
'help:Print this message or the help of the given subcommand(s)' \
    )
    _describe -t commands 'mailops render commands' commands "$@"
}
(( $+functions[_mailops__subcmd__render__subcmd__attachments_commands] )) ||
_mailops__subcmd__render__subcmd__attachments_commands() {
    local commands; commands=()
    _describe -t commands 'mailops render attachments commands' commands "$@"
}
(( $+functions[_mailops__subcmd__render__subcmd__help_commands] )) ||
_mailops__subcmd__render__subcmd__help_commands() {
    local commands; commands=(
'attachments:The attachment policy (rule III.3, the Organization'\''s \`attachments\`)' \
'help:Print this message or the help of the given subcommand(s)' \
    )
    _describe -t commands 'mailops render help commands' commands "$@"
}
(( $+functions[_mailops__subcmd__render__subcmd__help__subcmd__attachments_commands] )) ||
_mailops__subcmd__render__subcmd__help__subcmd__attachments_commands() {
    local commands; commands=()
    _describe -t commands 'mailops render help attachments commands' commands "$@"
}
(( $+functions[_mailops__subcmd__render__subcmd__help__subcmd__help_commands] )) ||
_mailops__subcmd__render__subcmd__help__subcmd__help_commands() {
    local commands; commands=()
    _describe -t commands 'mailops render help help commands' commands "$@"
}
(( $+functions[_mailops__subcmd__report_commands] )) ||
_mailops__subcmd__report_commands() {
    local commands; commands=(
'usage:Who checked mail (rule III.4), per unit and per person, from the server'\''s last logins; for the periodic reports to the provincial department (rule V.1). Never writes to the server' \
'help:Print this message or the help of the given subcommand(s)' \
    )
    _describe -t commands 'mailops report commands' commands "$@"
}
(( $+functions[_mailops__subcmd__report__subcmd__help_commands] )) ||
_mailops__subcmd__report__subcmd__help_commands() {
    local commands; commands=(
'usage:Who checked mail (rule III.4), per unit and per person, from the server'\''s last logins; for the periodic reports to the provincial department (rule V.1). Never writes to the server' \
'help:Print this message or the help of the given subcommand(s)' \
    )
    _describe -t commands 'mailops report help commands' commands "$@"
}
(( $+functions[_mailops__subcmd__report__subcmd__help__subcmd__help_commands] )) ||
_mailops__subcmd__report__subcmd__help__subcmd__help_commands() {
    local commands; commands=()
    _describe -t commands 'mailops report help help commands' commands "$@"
}
(( $+functions[_mailops__subcmd__report__subcmd__help__subcmd__usage_commands] )) ||
_mailops__subcmd__report__subcmd__help__subcmd__usage_commands() {
    local commands; commands=()
    _describe -t commands 'mailops report help usage commands' commands "$@"
}
(( $+functions[_mailops__subcmd__report__subcmd__usage_commands] )) ||
_mailops__subcmd__report__subcmd__usage_commands() {
    local commands; commands=()
    _describe -t commands 'mailops report usage commands' commands "$@"
}
(( $+functions[_mailops__subcmd__schema_commands] )) ||
_mailops__subcmd__schema_commands() {
    local commands; commands=()
    _describe -t commands 'mailops schema commands' commands "$@"
}
(( $+functions[_mailops__subcmd__validate_commands] )) ||
_mailops__subcmd__validate_commands() {
    local commands; commands=()
    _describe -t commands 'mailops validate commands' commands "$@"
}
(( $+functions[_mailops__subcmd__verify_commands] )) ||
_mailops__subcmd__verify_commands() {
    local commands; commands=()
    _describe -t commands 'mailops verify commands' commands "$@"
}
(( $+functions[_mailops__subcmd__watch_commands] )) ||
_mailops__subcmd__watch_commands() {
    local commands; commands=()
    _describe -t commands 'mailops watch commands' commands "$@"
}

if [ "$funcstack[1]" = "_mailops" ]; then
    _mailops "$@"
else
    compdef _mailops mailops
fi
