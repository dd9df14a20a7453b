-- Issue 14, a 10,000-seat licence list. Holders are listed by name then email and filtered by
-- words of either (`store/subscriptions/holders.rs`). With copies of both on the assignment,
-- the index below yields a subscription's holders in list order and answers a filter from the
-- index alone: the first page reads 25 entries instead of sorting all 10,000 (6 ms of a 7.6 ms
-- request), and a filter no longer reads each holder's user. `holder_search` is
-- `users.name_search`: a filter matches it, a space and the email. They only order and filter:
-- what the list shows is still read from `users`.
--
-- Kept on SQLite only. There one connection writes, so the copies are written with the
-- assignment (`store/assignments.rs` `insert_assignment`) and rewritten in the transaction
-- that renames the user (`rename_holder`, from the directory's `UpdateUser`) with nothing in
-- between. On PostgreSQL, transactions run side by side: a licence given while an import
-- renames its holder would copy the old name, and rewriting a renamed user's rows in every
-- subscription would take row locks outside the one order of `store/locks.rs`. There the
-- columns are neither kept (rows from before this migration have the copies of that moment,
-- later ones none) nor read: the holders are read through `users`, as before. The index holds
-- the name twice and the email once, as `user_search_terms_by_name` already does, so no name
-- that PostgreSQL's index entries could hold before is too long for it now. Portable.
ALTER TABLE assignments ADD COLUMN holder_name TEXT NOT NULL DEFAULT '';
ALTER TABLE assignments ADD COLUMN holder_email TEXT NOT NULL DEFAULT '';
ALTER TABLE assignments ADD COLUMN holder_search TEXT NOT NULL DEFAULT '';
UPDATE assignments SET
    holder_name = (SELECT u.name FROM users u WHERE u.id = assignments.user_id),
    holder_email = (SELECT u.email FROM users u WHERE u.id = assignments.user_id),
    holder_search = (SELECT u.name_search FROM users u WHERE u.id = assignments.user_id);
CREATE INDEX assignments_by_holder
    ON assignments (subscription_id, holder_name, holder_email, holder_search, user_id);
