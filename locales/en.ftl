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
