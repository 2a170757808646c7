//! The lease both background queues are built on (the job queue and the email outbox): a row is
//! `pending` and due at a time; a worker takes a lease on it (`locked_by`, `locked_until`) with
//! one conditional UPDATE — atomic on both backends, so two replicas never both win a row —
//! counts the attempt, renews the lease while the work runs, and settles the row when done. A
//! worker that dies leaves a lease that expires, and the row is taken again by the next pass
//! (after a restart, or on another replica).
//!
//! [`lease_queue!`] writes these queries for one table; the table needs the columns `id`,
//! `status`, `attempts`, `locked_by` and `locked_until`, and names its due time.

/// Writes `due_ids`, `take_lease` and `renew` for `$table` (a module of `db::schema` in scope),
/// whose rows are due at `$due`; `first` orders some due rows before the others.
macro_rules! lease_queue {
    ($table:ident, due: $due:ident $(, first: $first:expr)?) => {
        /// Ids of rows due now and not leased by a live worker, the most overdue first.
        pub fn due_ids(
            conn: &mut DbConnection,
            now: NaiveDateTime,
            limit: i64,
        ) -> QueryResult<Vec<String>> {
            $table::table
                .filter($table::status.eq("pending"))
                .filter($table::$due.le(now))
                .filter($table::locked_until.is_null().or($table::locked_until.lt(now)))
                $(.then_order_by($first))?
                .then_order_by($table::$due.asc())
                .limit(limit)
                .select($table::id)
                .load(conn)
        }

        /// Takes the lease on row `id` until `lease_until` and counts the attempt, if the row
        /// is still due and not leased by a live worker; false when another worker won it.
        pub fn take_lease(
            conn: &mut DbConnection,
            id: &str,
            worker: &str,
            now: NaiveDateTime,
            lease_until: NaiveDateTime,
        ) -> QueryResult<bool> {
            diesel::update($table::table.find(id))
                .filter($table::status.eq("pending"))
                .filter($table::$due.le(now))
                .filter($table::locked_until.is_null().or($table::locked_until.lt(now)))
                .set((
                    $table::locked_by.eq(worker),
                    $table::locked_until.eq(lease_until),
                    $table::attempts.eq($table::attempts + 1),
                ))
                .execute(conn)
                .map(|won| won == 1)
        }

        /// Extends a lease this worker still holds while the work runs; 0 when it was lost
        /// (it expired and another worker took the row, or the row was settled meanwhile).
        pub fn renew(
            conn: &mut DbConnection,
            id: &str,
            worker: &str,
            lease_until: NaiveDateTime,
        ) -> QueryResult<usize> {
            diesel::update($table::table.find(id))
                .filter($table::status.eq("pending"))
                .filter($table::locked_by.eq(worker))
                .filter($table::locked_until.is_not_null())
                .set($table::locked_until.eq(lease_until))
                .execute(conn)
        }
    };
}

pub(crate) use lease_queue;
