-- District schema v4 (issue 16): the previous term's figures per body AND per post (书记, 主任 …
-- of a body; '' = the body as a whole; the body '两委' = the party and residents' committees
-- together), so 同比 is computed per post too. The option of the 35岁以下 count lives in
-- district_meta ('young_inclusive': '1' counts 35 as 以下, the default; '0' under 35 only).

CREATE TABLE previous_term_v4 (
    body        TEXT NOT NULL,                    -- body type, e.g. 党组织委员会, or 两委
    post        TEXT NOT NULL DEFAULT '',         -- '' (the body) or a post of app.posts.POSTS
    metric      TEXT NOT NULL CHECK (metric IN ('members', 'average_age', 'college_pct',
                                                'bachelor_pct', 'under35_pct', 'women_pct',
                                                'dual_role_pct')),
    value       TEXT NOT NULL,                    -- a decimal as written in the file
    imported_at TEXT NOT NULL,
    PRIMARY KEY (body, post, metric)
) STRICT;

INSERT INTO previous_term_v4 (body, post, metric, value, imported_at)
SELECT body, '', metric, value, imported_at FROM previous_term;

DROP TABLE previous_term;

ALTER TABLE previous_term_v4 RENAME TO previous_term;
