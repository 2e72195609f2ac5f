-- Schema v7 (issue 16): the post (职务) of each contest from a fixed list, part-time (兼职)
-- candidates and the previous term's members, for the district's figures.
--
-- contest.post: one word of app.posts.POSTS, '' when not set. An older contest gets the post its
-- title is word for word (书记 → 书记); any other title stays '' until set on the 选举事项 page.
-- candidate.part_time: the community marks a candidate 兼职委员 (1) or not (0).
-- previous_member: who sat in which body type (app.posts.BODIES) in which post in the previous
-- term, by register person; the export marks the elected as 留任 / 新提拔 from it.

ALTER TABLE contest ADD COLUMN post TEXT NOT NULL DEFAULT '' CHECK (post IN (
    '', '委员', '书记', '副书记', '纪委书记', '纪委副书记', '主任', '副主任', '理事长', '副理事长',
    '监事长', '副监事长'));

UPDATE contest SET post = trim(title) WHERE trim(title) IN (
    '委员', '书记', '副书记', '纪委书记', '纪委副书记', '主任', '副主任', '理事长', '副理事长',
    '监事长', '副监事长');

ALTER TABLE candidate ADD COLUMN part_time INTEGER NOT NULL DEFAULT 0 CHECK (part_time IN (0, 1));

CREATE TABLE previous_member (
    person_id INTEGER NOT NULL REFERENCES person(id) ON DELETE CASCADE,
    body      TEXT NOT NULL CHECK (body IN ('党组织委员会', '纪委', '居委会', '居务监督委员会',
                                            '合作社理事会', '合作社监事会')),
    post      TEXT NOT NULL CHECK (post IN ('委员', '书记', '副书记', '纪委书记', '纪委副书记', '主任',
                                            '副主任', '理事长', '副理事长', '监事长', '副监事长')),
    PRIMARY KEY (person_id, body, post)
) STRICT;
