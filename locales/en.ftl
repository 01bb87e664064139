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
