# mailops: messages in English. Every message here has its Vietnamese twin in vi.ftl (tests/i18n.rs).

## apply: the confirmation on a terminal
apply-confirm = Apply { $count } { $count ->
        [one] change
       *[other] changes
    }? [y/N]{" "}
apply-cancelled = Cancelled: nothing was applied.
apply-no-answer = no answer (standard input closed): nothing was applied
apply-confirm-hint = answer y to apply; --yes applies without asking

## plan: the server's side is never written
plan-folder-missing = note: the folder { $folder } does not exist: planned as an empty server (apply makes the folder)

## man: the manual pages
man-written = wrote { $count } manual pages to { $folder }

## plan: the frame of a plan (text and Markdown)
plan-title = mailops plan for { $path }{ $revisions }, as of { $date }
plan-at-revision = {" "}at { $revision }
plan-as-of = as of { $date }
plan-findings = Findings:
plan-no-changes = No changes. The server matches the desired state.
plan-no-changes-review = No changes between the two revisions.
md-title = mailops plan
md-no-changes = **No changes.** The server matches the desired state.
md-no-changes-review = **No changes** between the two revisions.
md-summary-header = | create | rename | update | access | suspend | delete | blocked |
plan-summary = Plan: { $parts }
summary-create = { $count } to create
summary-adopt = { $count } to adopt
summary-rename = { $count } to rename
summary-update = { $count } to update
summary-resume = { $count } to resume
summary-access = { $count } access { $count ->
        [one] change
       *[other] changes
    }
summary-suspend = { $count } to suspend
summary-delete = { $count } to delete
summary-blocked = { $count } blocked

## apply: the result
apply-passwords-written = new passwords were written to { $file } (mode 0600)
apply-summary = Apply: { $applied } applied, { $blocked } blocked, { $failed } failed.

## plan: who gains or loses access (text and Markdown)
plan-access-changes = Access changes
level-owner = owner
level-delegate = delegate
access-nobody = nobody
access-rotated = ; credentials rotated and delivered to the new owner
access-handover = { $mailbox } handed over: { $from } → { $to }{ $rotated }
access-grant = { $who } gains { $level } access to { $mailbox }
access-revoke = { $who } loses { $level } access to { $mailbox }
access-create = { $name } gets a new mailbox { $mailbox }
access-resume = { $name } can log in again to { $mailbox }
access-suspend = { $name } loses login to { $mailbox } (mail kept; deletion after { $date })
access-delete = { $name } loses { $mailbox } for good (deleted)
access-blocked = blocked: { $line } — { $reason }

## watch and operator: the status page at /
status-title = mailops — reconcile status
status-language = Language
status-source = Source
status-reference = Followed reference
status-server = Mail server
status-drift-mode = Changes made by hand on the server
status-drift-mode-heal = healed back to the repository
status-drift-mode-report = reported only, not undone
status-revision-heading = Revision in force
status-revision = Revision
status-applied-at = Applied at
status-none-yet = none yet
status-fetched = Newest revision fetched
status-fetched-not-applied = not applied
status-last-reconcile = Last reconcile
status-result-success = succeeded
status-result-failure = failed
status-next-reconcile = Next reconcile
status-failures = Failures in a row
status-plan-heading = Last plan
status-plan-none = No plan has been carried out yet.
status-plan-when = Planned for revision { $revision }, at { $time }
status-plan-outcome = Applied { $applied }, blocked { $blocked }, failed { $failed }; hand-made changes left as they are: { $held }.
status-drift-heading = Accounts changed by hand on the server
status-drift-none = No account has been changed by hand.
status-drift-missing = the account is gone from the server
status-drift-healed = healed
status-drift-reported = reported
status-col-mailbox = Mailbox
status-col-differs = What differs
status-col-handling = Handling
status-col-delete-after = Deleted after
status-removals-heading = Mailboxes waiting to be deleted
status-removals-none = No mailbox is waiting to be deleted.
status-removals-note = These mailboxes are suspended; their mail is kept until the day of deletion.
status-error-heading = Last error
status-error-none = No error.
status-error-when = at { $time }, revision { $revision }
status-kind-fetch = The repository could not be fetched
status-kind-history-rewritten = The repository's history was rewritten
status-kind-verify = A commit's signature is not valid
status-kind-empty = The revision has no manifest left
status-kind-invalid = A manifest is not valid
status-kind-observe = The mail server could not be read
status-kind-apply = Changes failed on the mail server
status-kind-state = The state file could not be written
status-operator-heading = Kubernetes operator
status-namespace-heading = Namespace { $namespace }
status-namespaces-none = No namespace has been reconciled yet.
status-refresh = This page refreshes itself every { $seconds } seconds. For machines:
status-generated = generated at { $time }
status-kind-config = The configuration is not valid
status-kind-kubernetes = The Kubernetes API could not be used
status-kind-server = The mail server refused a request
status-kind-other = Error ({ $kind })
status-plan-at = Planned at { $time }

## plan: each change, in the lists by unit (text and Markdown)
change-create = create
change-create-quota = create, quota { $quota }
change-adopt = adopt the existing account (no change on the server)
change-rename = rename { $from } → { $to }, mail kept{ $alias } (recognised by { $by })
change-rename-alias = ; old address kept as alias
rename-by-inventory = the inventory
rename-by-former-addresses = formerAddresses
rename-by-previous-revision = the previous revision
rename-by-backend-id = the server's account id
change-update = update { $fields }
change-suspend = suspend ({ $why }); mail kept, deletion after { $date }
suspend-removed = removed from the repository
suspend-end-date = endDate { $date } has passed
change-resume = resume: login allowed again
change-delete-archived = delete (suspended since { $date }); mail archived first
change-delete-kept = delete (suspended since { $date }); the mail stays on the server's disk
change-grant = grant { $level } access to { $grantee }
change-revoke = revoke { $level } access of { $grantee }
change-handover = hand over to { $to }; credentials rotated
change-blocked = BLOCKED { $verb }: { $reason }
verb-create = create
verb-adopt = adopt
verb-rename = rename
verb-update = update
verb-resume = resume
verb-handover = hand over
verb-grant = grant access
verb-revoke = revoke access
verb-suspend = suspend
verb-delete = delete
verb-blocked = blocked

## plan: why a change is blocked
block-deletion-budget = deletion budget exceeded: { $requested } removals requested, at most { $max } and { $percent }% of { $managed } managed mailboxes per run
block-empty-desired-state = the desired state is empty or unreadable; nothing is removed on that basis
block-partial-observation = the server could only be read in part; no account is created or removed on that basis
block-protected = the address is protected by the Organization
block-rename-unsupported = the backend cannot rename without losing mail (never done as delete + create)
block-address-taken = the new address is held by the account { $holder }

## plan: findings
finding-unmanaged = unmanaged account { $address } on the server: not in the inventory, never touched
finding-missing = { $identity } ({ $address }) is managed but no longer on the server
finding-pending-deletion = { $address } is suspended; it may be deleted after { $date }
finding-not-yet-started = { $identity } ({ $address }) starts on { $date }; it will be created then
finding-partial-observation = the server could only be read in part: { $problems }
finding-not-enforced = this server cannot enforce { $what }: { $count } mailbox(es) ask for them, and none is set
finding-foreign-entries = left as they are: { $problems }
enforce-quotas = quotas

## plan: the lists by unit
plan-other-accounts = Agency mailboxes and other accounts
plan-nobody-gains-access = Nobody gains or loses access.
plan-policy-changes = Policy changes (Organization)
plan-changed-by-hand = changed on the server by hand
plan-field-none = none
md-blocked-warning = { $count } change(s) are blocked by the safety rules; see below.
md-unit-changes = { $count } changes
md-changes-header = | | address | who | change |
md-policy-header = | field | before | after |
md-findings = Findings
md-blocked = **blocked** { $verb }: { $reason }

## validate: the standard hints
hint-invalid-date = write the date as YYYY-MM-DD, e.g. 2024-05-01
hint-invalid-quota = write a whole number and a unit: 2GiB, 500MiB, 1GB, or `unlimited`
hint-invalid-address = write a full address such as `anvtt@bdt.binhthuan.gov.vn`
hint-invalid-email = write a full address such as `an.vo@gmail.com`
hint-self-delegation = a mailbox's owner always has access to it; list other people as delegates
hint-duplicate-entry = remove the repeated entry
hint-empty-field = give a value, or remove the field
hint-name-mismatch = givenName and familyName are words of fullName, written as there
hint-out-of-range = see the allowed range in the field's documentation (mailops schema)
hint-invalid-field = compare with the resource's fields in `mailops schema` or examples/bdt-binhthuan
hint-invalid-file-type = write the extension in lowercase without the dot, e.g. `pdf`
hint-contradictory-attachment-policy = keep the type in one list only
hint-invalid-domain = a lowercase DNS name such as `bdt.binhthuan.gov.vn`
hint-no-domains = list the agency's mail domains under spec.domains
hint-unknown-domain = use one of the Organization's domains, or add the domain to spec.domains
hint-unused-reason = remove `reason`
hint-alias-is-address = remove the alias; the address itself already delivers here
hint-owner-is-delegate = remove the owner from delegates
hint-file-too-large = a manifest describes one person or a few; split large files (or raise --max-file-size)
hint-unreadable = check that the path exists and is readable
hint-symlink-dangling = remove the link or make it point to a file inside the repository
hint-too-deep = manifests are a few levels deep; check the indentation

## validate: the frame of each diagnostic
diag-at = at { $location }
diag-in-resource-field = in { $resource }, field { $field }
diag-in-resource = in { $resource }
diag-in-field = field { $field }
diag-hint = hint: { $hint }
diag-summary = { $errors ->
        [one] 1 error
       *[other] { $errors } errors
    }, { $warnings ->
        [one] 1 warning
       *[other] { $warnings } warnings
    }

## validate: a Mailbox or SharedMailbox
diag-address-unknown-domain = `{ $address }` is not in the Organization's domains
hint-domains = domains: { $domains }
diag-listed-twice = `{ $item }` is listed twice
diag-self-delegation = `{ $name }` cannot be a delegate of itself
diag-unknown-mailbox = no Mailbox is named `{ $name }`
hint-did-you-mean-mailbox = did you mean `{ $name }`? Mailboxes are named by metadata.name
hint-name-a-mailbox = name a Mailbox by its metadata.name, e.g. `mai-sen`
hint-as-in-full-name = write it exactly as it appears in fullName
diag-unfoldable-name = cannot derive an address: { $error }
hint-unfoldable-name = check the spelling; for a name with no Vietnamese/Latin form give `address` and `reason`
hint-did-you-mean = did you mean `{ $name }`?
hint-units = units: { $units }
diag-unknown-unit = unit `{ $unit }` is not defined in the Organization
hint-extension = rule II.2: 1 to { $max } lowercase letters, no digits, not the agency's name
diag-unknown-domain = domain `{ $domain }` is not one of the Organization's domains
diag-alias-is-address = alias `{ $alias }` is the mailbox's own address
diag-negative-order = order { $order } is negative
diag-empty-title = title is empty
hint-empty-title = give the title (chức vụ) or leave the field out
diag-reason-without-address = `reason` is only read together with an explicit `address`
diag-reason-not-needed = the address follows the naming convention; no reason is needed
diag-address-convention = address `{ $address }` does not follow the naming convention
diag-address-convention-gives = address `{ $address }` does not follow the naming convention (the convention gives `{ $expected }`)
hint-address-convention = remove `address` to use the derived one, or add `reason:` explaining the exception (rule II.2)
diag-backup-is-own-address = backupEmail `{ $address }` is the mailbox's own address, so it cannot serve as a backup
hint-backup-outside = record an address outside this mailbox (a personal or another agency address)
hint-email-example = e.g. `ten.ho@gmail.com`
diag-end-before-start = endDate { $end } is before startDate { $start }
diag-empty-display-name = displayName is empty
diag-missing-owner = the agency mailbox has no owner
hint-missing-owner = rule IV.3: the head of the agency manages it; add `owner: <Mailbox name>`
diag-owner-is-delegate = `{ $name }` is the owner and also a delegate

## validate and every command: the frame of an error
validate-valid = { $path } is valid: { $people } mailboxes, { $shared } { $shared ->
        [one] agency mailbox
       *[other] agency mailboxes
    }
diag-warnings-denied = warnings are treated as errors
hint-warnings-denied = fix the warnings, or run without --deny-warnings
error-label = error
error-caused-by = Caused by: { $cause }

## validate: addresses across resources
diag-former-address-kept = `{ $address }` is a former address of { $owner }, which the server keeps as an alias (naming.keepOldAddressAsAlias): it cannot be this mailbox's address
diag-kept-here = kept here
hint-former-address-kept = give this mailbox another address, or remove `{ $address }` from the other mailbox's formerAddresses once its alias may go
diag-former-address-in-use = former address `{ $address }` is now used by { $holder }
diag-used-here = used here
hint-former-address-in-use = mail to the old address goes to the new holder; remove it from formerAddresses once that is intended
diag-address-collision = address `{ $address }` is already { $holder }'s address
diag-alias-conflict = alias `{ $address }` is { $holder }'s address
diag-duplicate-alias = alias `{ $address }` is already an alias of { $holder }
diag-taken-by = taken by { $holder }
hint-address-collision = choose another address; two mailboxes cannot share one
hint-alias-conflict = remove the alias, or move it to the mailbox that should receive the mail
hint-agree-extension = agree an extension with the IT officer (rule II.2) and set `extension:`
hint-agree-extension-free = agree an extension with the IT officer (rule II.2) and set `extension:`; free: { $free }

## validate: the Organization
diag-invalid-short-name = shortName `{ $name }` must be lowercase ASCII letters
hint-short-name = the agency's short name, e.g. `bdt`; rule II.2 forbids it as an address extension
diag-unknown-naming-domain = naming domain `{ $domain }` is not one of the Organization's domains
diag-max-extension-length = maxExtensionLength { $value } is outside 1..=32
hint-max-extension-length = rule II.2 sets 6
diag-reserved-extension = reserved extension `{ $extension }` must be lowercase ASCII letters
diag-no-domains = the Organization has no domains
diag-invalid-domain = `{ $domain }` is not a valid domain name
diag-domain-twice = domain `{ $domain }` is listed twice
diag-no-units = the Organization has no units
hint-no-units = every Mailbox names its unit
diag-invalid-unit-id = unit id `{ $unit }` is not a valid identifier
hint-unit-id = lowercase ASCII letters, digits and hyphens, e.g. `trung-tam-dvmn`
diag-unit-twice = unit `{ $unit }` is defined twice
diag-empty-unit-name = unit name is empty
diag-unknown-parent-unit = parent unit `{ $parent }` of `{ $unit }` is not another defined unit
diag-protected-unknown-domain = protected address `{ $address }` is not in the Organization's domains
diag-out-of-range = { $value } is out of range (0 or more)
diag-out-of-range-max = { $value } is out of range (0 to { $max })
diag-invalid-file-type = `{ $extension }` is not a file extension
diag-too-many-file-types = { $count } file types, more than the { $max } allowed
hint-too-many-file-types = list the types the regulation names; rule III.3 names fourteen
diag-invalid-rule-reference = `{ $rule }` cannot be cited in a mail server's rejection
hint-rule-reference = at most 60 ASCII letters, digits, spaces and `.,:;()/-`, e.g. `III.3`
diag-allowed-and-forbidden = `{ $extension }` is both allowed and forbidden
hint-allowed-and-forbidden = keep it in one list: `forbidden` for executables, `allowed` or `compressed` otherwise

## validate: the repository as a whole
diag-no-organization = no Organization in { $folder }
hint-no-organization = add an Organization manifest with the domains, units and naming policy (see examples/bdt-binhthuan/organization.yaml)
diag-multiple-organizations = a repository holds exactly one Organization
diag-first-organization = the first Organization
hint-multiple-organizations = keep one Organization per repository; use one repository per agency
diag-invalid-name = `{ $name }` is not a valid resource name
hint-invalid-name = use lowercase ASCII letters, digits and hyphens, at most 63, e.g. `vo-thi-thu-an`
diag-duplicate-resource = another { $kind } is already named `{ $name }`
diag-first-defined-here = first defined here
hint-duplicate-resource = metadata.name is the stable identity of a resource and must be unique

## validate: reading the files
diag-cannot-read-path = cannot read { $path }: { $error }
hint-give-a-folder = give the path of a folder holding the Organization and the staff manifests
diag-cannot-read = cannot read: { $error }
diag-symlink-outside = symlink leads outside the repository (to { $target })
hint-symlink-outside = copy the file into the repository, or remove the link
diag-symlink-dangling = symlink cannot be followed: { $error }
diag-file-too-large = file is { $size } bytes, over the limit of { $max } bytes
hint-split-large-files = a manifest describes one person or a few; split large files
diag-cannot-read-file = cannot read file: { $error }
diag-not-utf8 = file is not valid UTF-8 (byte { $byte })
hint-not-utf8 = save the file as UTF-8 (Unicode, TCVN 6909:2001), not TCVN3/VNI or another legacy encoding
diag-not-a-mapping = document is not a mapping
hint-not-a-mapping = each document is a resource with apiVersion, kind, metadata and spec
diag-missing-kind = resource has no `kind`
diag-unknown-kind = unknown kind `{ $kind }`
diag-unknown-api-version = unknown apiVersion `{ $version }` for kind { $kind }
diag-missing-api-version = resource has no `apiVersion`
hint-api-version = use `apiVersion: { $version }`
hint-known-kinds = mailops resources are { $kinds } (apiVersion { $version })
diag-control-character = `{ $field }` holds a control character ({ $character })
hint-control-character = remove it: names, titles and addresses hold no line breaks, tabs or terminal codes
diag-format-character = `{ $field }` holds an invisible formatting character ({ $character }: a direction override, a zero-width space or the like)
hint-format-character = remove it: it makes the text read otherwise than it is, to reviewers and in the directory
hint-known-fields = known fields here: { $fields }
diag-unknown-field = unknown field `{ $field }`
diag-missing-field = missing required field `{ $field }`
hint-invalid-type = check the value's type; quote text that YAML would read as a number or boolean
hint-yaml-tab = YAML indents with spaces only; replace the tab with spaces
hint-yaml-syntax = check the indentation, the quoting, and that every `[` and `{"{"}` is closed
hint-duplicate-key = a key may appear once per mapping; remove one of the two
hint-alias-bomb = manifests need no anchors or aliases; write the values out
hint-complex-key = keys are plain names such as `fullName`

## validate: the calendar
diag-too-many-dates = { $count } dates, more than the { $max } allowed
diag-holiday-on-weekend = { $day } is a { $weekday ->
        [Sat] Saturday
       *[Sun] Sunday
    }: already not a working day
diag-not-a-weekend-day = { $day } is a { $weekday ->
        [Mon] Monday
        [Tue] Tuesday
        [Wed] Wednesday
        [Thu] Thursday
       *[Fri] Friday
    }, not a Saturday or Sunday
diag-invalid-utc-offset = `{ $offset }` is not an offset such as +07:00
hint-calendar-date = write the date as YYYY-MM-DD, e.g. 2027-01-01
hint-not-a-weekend-day = a weekday off goes in `holidays`; `workingWeekends` lists the Saturdays and Sundays worked
hint-holiday-on-weekend = remove it: Saturdays and Sundays are not working days anyway
hint-duplicate-date = remove the second one
hint-utc-offset = write the offset as +HH:MM; Vietnam is "+07:00"
hint-too-many-dates = at most 1,000 dates in each list
diag-invalid-yaml = invalid YAML: { $detail }
diag-too-deep = nesting deeper than { $max } levels
diag-yaml-control-character = invalid YAML: control character { $character } (YAML allows only printable characters)
diag-alias-key = an alias used as a mapping key is not supported
diag-collection-key = a mapping or sequence used as a mapping key is not supported
diag-duplicate-key = duplicate key `{ $key }`
diag-alias-bomb = aliases expand this document to more than { $max } nodes (an alias expansion bomb?)

## errors: revisions, the state file, reviews
error-revision-empty = revision { $revision } holds no manifests; nothing was applied
error-invalid-planned = { $what } is not valid; nothing was planned
error-invalid-applied = { $what } is not valid; nothing was applied
hint-revision-unsigned = only commits signed by an allowed signer, within its paths, are applied
hint-revision-empty = a revision that removes every manifest is never applied: the last good one stays in force
hint-revision-invalid-planned = fix the errors above (mailops validate shows them too)
hint-revision-invalid = the last good revision stays in force
hint-state-lost = a lost state file is safe: `mailops adopt` rebuilds it
hint-state-locked = wait for the other run to finish
hint-journal = the journal says which changes an interrupted run made; keep it, and run apply again once the server can be read
hint-review-open = run inside a clone, or give the folder
hint-review-read = fetch the base branch first, e.g. `git fetch origin main`
hint-review-invalid-head = fix the errors above; `mailops validate` shows them on a checkout

## watch and the operator
watch-started = mailops watch: { $source } → { $server } every { $interval }, drift { $drift }; listening on http://{ $address }
watch-attachments-reloaded = attachment policy: reload command ran
watch-stopped = mailops watch: stopped
operator-started = mailops operator: listening on http://{ $address }
operator-stopped = mailops operator: stopped

## errors of the commands
error-write-state = cannot write the state file
error-signers-file = the allowed-signers file cannot be used
error-nothing-written = nothing was written
error-nothing-rendered = nothing was rendered
error-leader-election = leader election failed
error-crd-yaml = cannot write a CRD as YAML
error-runtime = cannot start the runtime
error-man-pages = cannot render the manual pages
error-record-revision = cannot record the applied revision
error-read-logins = cannot read the server's logins
error-read-revisions = cannot read the revisions
error-open-server = cannot open the server
error-open-git = cannot open the git repository
error-list-domains = cannot list the server's domains
error-cannot-create = cannot create { $path }
error-cannot-read = cannot read { $path }
error-cannot-write = cannot write { $path }
error-cannot-listen = cannot listen on { $address }
error-derive-address = cannot derive an address from `{ $name }`
hint-derive-address = check the spelling, or give --given for names outside the Kinh order
error-read-organization = cannot read an Organization from { $path }
error-not-verified = not verified: nothing from this revision may be applied
hint-sign-commits = sign commits with an allowed SSH key: git config gpg.format ssh; git commit -S
error-invalid-directory = { $what } is not valid; no directory was written
error-report-future = { $day } is in the future; the report is for today or a past day
error-kubernetes-api = cannot reach the Kubernetes API
hint-kubernetes-api = run in a pod with a service account, or with a kubeconfig
error-webhook-secret-empty = the webhook secret file { $path } is empty
error-no-such-domain = the server has no domain `{ $domain }`
hint-server-domains = its domains: { $domains }
error-import-interrupted = an apply was interrupted on this server
hint-import-interrupted = run `mailops apply` with the repository it was applying first, then import
error-import-partial = the server could not be read completely: { $problems }
hint-import-partial = an import must see every account; try again when the server answers
error-not-empty = { $path } is not empty
hint-not-empty = import writes a new repository: give a new or empty folder, or --force to write into this one (files of the same name are replaced, others kept)
error-sheet-problems = { $path } has { $count } problem(s); nothing was written
error-import-would-be-invalid = the repository the import would write to { $path } does not validate; nothing was written
error-import-invalid = the repository written to { $path } does not validate
hint-import-invalid = fix the errors above (another manifest already in the folder, or a value to review)
error-saved-plan = { $path } is { $error }; nothing was applied
hint-plan-version = make a new plan with this mailops: mailops plan --server … --out plan.json
error-server-changed = the server changed since this plan was made; nothing was applied
hint-make-new-plan = make a new plan: mailops plan --server … --out plan.json
error-plan-differs = the saved plan is not what the repository and the server give now; nothing was applied
hint-make-new-plan-repository = make a new plan from the repository: mailops plan --server … --out plan.json
error-attachments-not-installed = the attachment policy was not installed
hint-attachments-not-installed = the mailboxes are reconciled all the same; fix this and run again
error-invalid-render = { $what } is not valid; nothing was rendered
error-no-attachment-policy = Organization { $organization } declares no attachment policy
hint-no-attachment-policy = add `spec.attachments` (allowed, compressed, forbidden) to the Organization
error-token-file = cannot read the token file { $path }
error-token-empty = the token file { $path } is empty
error-state-file = the state file cannot be used
error-read-server = cannot read the server
error-journal = the journal of an interrupted run cannot be resolved
error-journal-start = cannot start the journal { $path }
error-audit-log = cannot open the audit log { $path }
error-record = recording the changes failed; nothing more was attempted
error-git-remote = cannot use the git remote
error-nothing-applied = nothing was applied
error-revision-not-verified = the revision is not verified; nothing was applied
error-fetched-unreadable = cannot read the fetched revision
error-read-revisions-to-compare = cannot read the revisions to compare
error-invalid-head = the head revision { $revision } is not valid; no plan was made

## notes of the commands
note-address-repository-errors = note: { $path } has { $count } error(s); run `mailops validate { $path }` (collisions are checked against the readable part)
note-directory-warnings = note: { $count } warning(s); run `mailops validate { $path }` to see them
note-report-partial = note: the server could not be read completely ({ $problems }); people it did not show are marked as not on the server
note-journal-resolved = note: resolved the journal of an interrupted run ({ $run }): { $finished } change(s) found made, { $unfinished } to make again
note-apply-interrupted = note: an apply was interrupted; the next apply finishes it before anything else
note-base-errors = note: the base revision has { $count } error(s); its valid part is used

## import: the staff list and the server
diag-list-not-utf8 = the file is not UTF-8 text (byte { $byte }): save it as "CSV UTF-8"
diag-list-not-csv = not CSV: { $error }
diag-list-too-many-rows = more than { $max } rows
diag-list-spreadsheet = cannot read the spreadsheet: { $error }
diag-list-too-large = the file is larger than { $max } MiB
diag-list-zip-entries = the spreadsheet holds { $count } parts, more than { $max }: it is not read
diag-list-zip-entry = the spreadsheet's part `{ $entry }` unpacks to more than { $max } MiB: it is not read (a staff list is far smaller; this is how a "zip bomb" looks)
diag-list-zip-unpacked = the spreadsheet unpacks to more than { $max } MiB: it is not read
diag-list-cell-too-far = a cell with content at row { $row }, column { $column }: a staff list uses at most { $columns } columns and { $rows } rows, so the spreadsheet is not read (delete what is beyond the list, or copy the list into a new sheet)
diag-list-no-header = no header row: the list needs a column `Họ và tên` (or `Full name`), and usually `Tài khoản người dùng`, `Chức vụ`, `Email dự phòng`, `Đơn vị`
diag-list-second-column = a second `{ $column }` column
diag-list-cell-too-long = the cell is longer than { $max } characters
diag-list-control = the cell holds a control character (it may hide text or move the cursor)
diag-list-format = the cell holds an invisible formatting character ({ $character }: a direction override, a zero-width space or the like)
diag-list-no-name = the row has no full name
hint-list-no-name = write the person's full name, family name first (Võ Thị Thu An)
diag-list-not-an-address = `{ $value }` is not an address: { $error }
diag-list-twice = `{ $address }` is listed twice (first on row { $first })
diag-list-not-an-email = `{ $value }` is not an e-mail address: { $error }
diag-import-no-address = cannot make an address for { $name }: { $error }
diag-import-no-address-quoted = cannot make an address for `{ $name }`: { $error }
hint-import-write-address = write the address agreed with the IT officer in the account column
hint-import-agree-extension = agree an extension and write the address in the account column, e.g. { $examples }
diag-import-collision = { $name } has no account, and the address rule II.2 gives, `{ $derived }`, is already { $holder }'s
diag-import-naming-domain = no account gives the domain of personal addresses
hint-import-naming-domain = give it: --naming-domain bdt.binhthuan.gov.vn
diag-import-owner-unknown = who owns the agency mailbox { $address } is not known: the server does not record it
hint-import-owner = name the head of the agency: --shared { $address }=OWNER (an address or a metadata.name)
diag-import-owner-not-imported = the owner `{ $owner }` of { $address } is not a person imported
hint-import-owner-name = name the owner by the address of their account or by its metadata.name
diag-import-name-too-long = the name of { $address } on the server is { $length } characters long; a manifest holds at most { $max }
hint-import-name-too-long = shorten the name on the server, then import again
