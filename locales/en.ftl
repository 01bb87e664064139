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
status-plan-outcome = Applied { $applied }, blocked { $blocked }, failed { $failed }, hand-made changes left as they are { $held }.
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
