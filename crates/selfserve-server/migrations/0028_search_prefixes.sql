-- Issue 14: colleague search for one or two letters. A range of `user_search_terms` for "m"
-- covers every word starting with it (thousands at 100,000 people), all read before the first
-- 20 by name are kept. Keyed on the prefix itself (equality) and then what the list is sorted
-- by, an index scan stops after those 20. Longer queries match few words: they keep the range
-- scan. Written with the words (`store/directory.rs` `insert_terms`). Portable.
CREATE TABLE user_search_prefixes (
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    prefix          TEXT NOT NULL,
    name_search     TEXT NOT NULL,
    email           TEXT NOT NULL,
    user_id         TEXT NOT NULL REFERENCES users (id),
    PRIMARY KEY (organization_id, prefix, name_search, email, user_id)
);
CREATE INDEX user_search_prefixes_by_user ON user_search_prefixes (user_id);
INSERT INTO user_search_prefixes (organization_id, prefix, name_search, email, user_id)
    SELECT organization_id, substr(term, 1, 1), name_search, email, user_id
    FROM user_search_terms
    UNION
    SELECT organization_id, substr(term, 1, 2), name_search, email, user_id
    FROM user_search_terms WHERE length(term) >= 2;
