//! The two SQL dialects PostfixAdmin runs on, behind one small interface.
//!
//! Every statement is a constant written with PostgreSQL's numbered placeholders (`$1`, `$2`, …); for
//! MariaDB/MySQL it is rewritten to `?` placeholders with the arguments bound in the order they appear (a
//! `$1` used twice is bound twice). Values are always bound, never part of the statement's text.

use sqlx::mysql::{MySql, MySqlConnectOptions, MySqlPool, MySqlPoolOptions, MySqlSslMode};
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions, PgSslMode, Postgres};
use sqlx::{Row, Transaction};

use super::{Dialect, PostfixAdminConfig, Tls};
use crate::backend::{BackendError, Secret};

/// One bound value.
#[derive(Debug, Clone, Copy)]
pub(super) enum Arg<'a> {
    Text(&'a str),
    Int(i64),
    Bool(bool),
}

/// The connection pool of either dialect.
#[derive(Debug, Clone)]
pub(super) enum Pool {
    Pg(PgPool),
    My(MySqlPool),
}

/// A transaction of either dialect.
pub(super) enum Tx {
    Pg(Transaction<'static, Postgres>),
    My(Transaction<'static, MySql>),
}

/// Why a transaction did not commit.
#[derive(Debug)]
pub(super) enum Failure {
    /// The database chose this transaction as a deadlock's victim, or could not serialise it (SQLSTATE
    /// 40001, 40P01): it was rolled back whole, and running it again is safe.
    Conflict(String),
    /// Anything else.
    Backend(BackendError),
}

impl From<BackendError> for Failure {
    fn from(e: BackendError) -> Self {
        Self::Backend(e)
    }
}

/// A database error: a conflict to retry; a unique or foreign-key violation is a refusal, not an outage.
impl From<sqlx::Error> for Failure {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::Database(d) if matches!(d.code().as_deref(), Some("40001" | "40P01")) => {
                Self::Conflict(d.message().to_string())
            }
            sqlx::Error::Database(d) if d.is_unique_violation() => {
                Self::Backend(BackendError::Rejected(format!("{d}")))
            }
            sqlx::Error::Database(d) if d.is_foreign_key_violation() => Self::Backend(
                BackendError::Rejected(format!("{d} (is the domain in PostfixAdmin?)")),
            ),
            _ => Self::Backend(BackendError::Server(format!("the database: {e}"))),
        }
    }
}

/// How many times a transaction that lost a conflict is run in all.
const ATTEMPTS: u32 = 5;

/// Runs the transaction `body` until it commits or fails for a reason other than a conflict with another
/// writer (each attempt after a short, growing pause).
pub(super) async fn retried<T, F, Fut>(body: F) -> Result<T, BackendError>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Result<T, Failure>>,
{
    let mut last = String::new();
    for attempt in 0..ATTEMPTS {
        match body().await {
            Ok(v) => return Ok(v),
            Err(Failure::Backend(e)) => return Err(e),
            Err(Failure::Conflict(why)) => {
                tracing::debug!(attempt, %why, "transaction conflicted with another writer; running it again");
                last = why;
                tokio::time::sleep(std::time::Duration::from_millis(10 << attempt)).await;
            }
        }
    }
    Err(BackendError::Server(format!(
        "the database: the change conflicted with other writers {ATTEMPTS} times ({last})"
    )))
}

fn db(e: sqlx::Error) -> Failure {
    Failure::from(e)
}

/// `$N` placeholders as `?`, and the argument index of each `?` in order.
pub(super) fn question_marks(sql: &str) -> (String, Vec<usize>) {
    let mut out = String::with_capacity(sql.len());
    let mut order = Vec::new();
    let mut chars = sql.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c == '$' && chars.peek().is_some_and(|(_, d)| d.is_ascii_digit()) {
            let start = i + 1;
            let mut end = start;
            while let Some((j, d)) = chars.peek().copied() {
                if !d.is_ascii_digit() {
                    break;
                }
                end = j + 1;
                chars.next();
            }
            let n: usize = sql[start..end].parse().unwrap_or(1);
            order.push(n.saturating_sub(1));
            out.push('?');
        } else {
            out.push(c);
        }
    }
    (out, order)
}

/// A statement and its arguments as MariaDB takes them: `?` placeholders, each argument in their order.
fn for_mysql<'a>(sql: &str, args: &[Arg<'a>]) -> (String, Vec<Arg<'a>>) {
    let (text, order) = question_marks(sql);
    (text, order.iter().map(|&i| args[i]).collect())
}

macro_rules! bind_all {
    ($query:expr, $args:expr) => {{
        let mut q = $query;
        for a in $args {
            q = match *a {
                Arg::Text(s) => q.bind(s),
                Arg::Int(n) => q.bind(n),
                Arg::Bool(b) => q.bind(b),
            };
        }
        q
    }};
}

impl Pool {
    /// A pool that connects on first use.
    pub(super) fn lazy(config: &PostfixAdminConfig, password: &Secret) -> Self {
        let timeout = std::time::Duration::from_secs(15);
        match config.dialect {
            Dialect::Postgres => Self::Pg(
                PgPoolOptions::new()
                    .max_connections(4)
                    .acquire_timeout(timeout)
                    .connect_lazy_with({
                        let o = PgConnectOptions::new()
                            .host(&config.host)
                            .port(config.port)
                            .username(&config.user)
                            .password(password.expose())
                            .database(&config.database)
                            .ssl_mode(match config.tls {
                                Tls::Disable => PgSslMode::Disable,
                                Tls::Prefer => PgSslMode::Prefer,
                                Tls::Require => PgSslMode::Require,
                                Tls::VerifyFull => PgSslMode::VerifyFull,
                            });
                        match &config.tls_ca {
                            Some(ca) => o.ssl_root_cert(ca),
                            None => o,
                        }
                    }),
            ),
            Dialect::MySql => Self::My(
                MySqlPoolOptions::new()
                    .max_connections(4)
                    .acquire_timeout(timeout)
                    .connect_lazy_with({
                        let o = MySqlConnectOptions::new()
                            .host(&config.host)
                            .port(config.port)
                            .username(&config.user)
                            .password(password.expose())
                            .database(&config.database)
                            .charset("utf8mb4")
                            .ssl_mode(match config.tls {
                                Tls::Disable => MySqlSslMode::Disabled,
                                Tls::Prefer => MySqlSslMode::Preferred,
                                Tls::Require => MySqlSslMode::Required,
                                Tls::VerifyFull => MySqlSslMode::VerifyIdentity,
                            });
                        match &config.tls_ca {
                            Some(ca) => o.ssl_ca(ca),
                            None => o,
                        }
                    }),
            ),
        }
    }

    pub(super) async fn begin(&self) -> Result<Tx, Failure> {
        Ok(match self {
            Self::Pg(p) => Tx::Pg(p.begin().await.map_err(db)?),
            Self::My(p) => Tx::My(p.begin().await.map_err(db)?),
        })
    }

    /// The first column of every row, as text.
    pub(super) async fn texts(&self, sql: &str) -> Result<Vec<String>, Failure> {
        let rows: Vec<String> = match self {
            Self::Pg(p) => sqlx::query_scalar(sql).fetch_all(p).await.map_err(db)?,
            Self::My(p) => sqlx::query_scalar(sql).fetch_all(p).await.map_err(db)?,
        };
        Ok(rows)
    }

    /// `mailbox` rows (username, name, quota, active) and `alias` rows (address, goto) of `domains`: two
    /// queries, whatever the number of accounts.
    pub(super) async fn accounts(&self, domains: &[String]) -> Result<Accounts, Failure> {
        const MAILBOXES: &str = "SELECT username, name, quota, active FROM mailbox WHERE domain";
        const ALIASES: &str = "SELECT address, goto FROM alias WHERE domain";
        match self {
            Self::Pg(p) => {
                let mailboxes = sqlx::query(&format!("{MAILBOXES} = ANY($1)"))
                    .bind(domains)
                    .fetch_all(p)
                    .await
                    .map_err(db)?
                    .iter()
                    .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?)))
                    .collect::<Result<_, sqlx::Error>>()
                    .map_err(db)?;
                let aliases = sqlx::query_as(&format!("{ALIASES} = ANY($1)"))
                    .bind(domains)
                    .fetch_all(p)
                    .await
                    .map_err(db)?;
                Ok(Accounts { mailboxes, aliases })
            }
            Self::My(p) => {
                if domains.is_empty() {
                    return Ok(Accounts::default());
                }
                // `IN (?, ?, …)`: one placeholder per domain, each bound.
                let marks = vec!["?"; domains.len()].join(", ");
                let sql = format!("{MAILBOXES} IN ({marks})");
                let mut q = sqlx::query(&sql);
                for d in domains {
                    q = q.bind(d);
                }
                let mailboxes = q
                    .fetch_all(p)
                    .await
                    .map_err(db)?
                    .iter()
                    .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?)))
                    .collect::<Result<_, sqlx::Error>>()
                    .map_err(db)?;
                let sql = format!("{ALIASES} IN ({marks})");
                let mut q = sqlx::query_as(&sql);
                for d in domains {
                    q = q.bind(d);
                }
                let aliases = q.fetch_all(p).await.map_err(db)?;
                Ok(Accounts { mailboxes, aliases })
            }
        }
    }
}

/// What [`Pool::accounts`] reads.
#[derive(Debug, Default)]
pub(super) struct Accounts {
    pub mailboxes: Vec<(String, String, i64, bool)>,
    pub aliases: Vec<(String, String)>,
}

impl Tx {
    /// Runs a statement; returns the number of rows it changed.
    pub(super) async fn execute(&mut self, sql: &str, args: &[Arg<'_>]) -> Result<u64, Failure> {
        Ok(match self {
            Self::Pg(tx) => bind_all!(sqlx::query(sql), args)
                .execute(&mut **tx)
                .await
                .map_err(db)?
                .rows_affected(),
            Self::My(tx) => {
                let (text, args) = for_mysql(sql, args);
                bind_all!(sqlx::query(&text), &args)
                    .execute(&mut **tx)
                    .await
                    .map_err(db)?
                    .rows_affected()
            }
        })
    }

    /// Whether a query returns a row.
    pub(super) async fn any(&mut self, sql: &str, args: &[Arg<'_>]) -> Result<bool, Failure> {
        Ok(match self {
            Self::Pg(tx) => bind_all!(sqlx::query(sql), args)
                .fetch_optional(&mut **tx)
                .await
                .map_err(db)?
                .is_some(),
            Self::My(tx) => {
                let (text, args) = for_mysql(sql, args);
                bind_all!(sqlx::query(&text), &args)
                    .fetch_optional(&mut **tx)
                    .await
                    .map_err(db)?
                    .is_some()
            }
        })
    }

    pub(super) async fn commit(self) -> Result<(), Failure> {
        match self {
            Self::Pg(tx) => tx.commit().await.map_err(db),
            Self::My(tx) => tx.commit().await.map_err(db),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbered_placeholders_become_question_marks_bound_in_order() {
        let (sql, order) =
            question_marks("SELECT 1 FROM m WHERE u = $1 UNION ALL SELECT 1 FROM a WHERE x = $1 AND y = $12");
        assert_eq!(
            sql,
            "SELECT 1 FROM m WHERE u = ? UNION ALL SELECT 1 FROM a WHERE x = ? AND y = ?"
        );
        assert_eq!(order, [0, 0, 11]);
        assert_eq!(question_marks("price $ 5").0, "price $ 5");
    }

    #[tokio::test]
    async fn a_conflict_is_run_again_and_any_other_failure_is_not() {
        let runs = std::sync::atomic::AtomicU32::new(0);
        let got = retried(|| async {
            let n = runs.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            if n < 2 {
                Err(Failure::Conflict("Deadlock found".into()))
            } else {
                Ok(n)
            }
        })
        .await;
        assert_eq!(got.unwrap(), 2);
        runs.store(0, std::sync::atomic::Ordering::SeqCst);
        let got: Result<(), _> = retried(|| async {
            runs.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            Err(Failure::Backend(BackendError::Rejected("no".into())))
        })
        .await;
        assert!(matches!(got, Err(BackendError::Rejected(_))));
        assert_eq!(runs.load(std::sync::atomic::Ordering::SeqCst), 1);
        let got: Result<(), _> =
            retried(|| async { Err(Failure::Conflict("could not serialize".into())) }).await;
        let e = got.unwrap_err().to_string();
        assert!(e.contains("5 times") && e.contains("could not serialize"), "{e}");
    }
}
