-- Issue 14, big organisations (100,000 people, 10,000 subscriptions). Portable.

-- Colleague search sorts its matches by name: with the name and email beside each word, one
-- range scan of the index below yields the matches in list order, and the database keeps only
-- the first ones instead of reading every match's user and sorting them all. Written with the
-- words (`store/directory.rs` `term_rows`); the defaults only let existing rows be added to.
ALTER TABLE user_search_terms ADD COLUMN name_search TEXT NOT NULL DEFAULT '';
ALTER TABLE user_search_terms ADD COLUMN email TEXT NOT NULL DEFAULT '';
UPDATE user_search_terms SET
    name_search = (SELECT u.name_search FROM users u WHERE u.id = user_search_terms.user_id),
    email = (SELECT u.email FROM users u WHERE u.id = user_search_terms.user_id);
CREATE INDEX user_search_terms_by_name
    ON user_search_terms (organization_id, term, name_search, email, user_id);

-- Pages of subscription lists (`store/subscriptions/pages.rs`): newest first, ties by id, read
-- in index order from the cursor on. They replace 0002's (purchaser, created) indexes.
CREATE INDEX subscriptions_page_by_purchaser ON subscriptions (purchaser_id, created_at DESC, id);
CREATE INDEX subscriptions_page_by_org ON subscriptions (organization_id, created_at DESC, id);
DROP INDEX subscriptions_by_purchaser;
DROP INDEX subscriptions_by_org;
