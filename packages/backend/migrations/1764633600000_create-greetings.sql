-- Up Migration

-- The sample resource. created_at and id order the list newest first; the index serves that order.
CREATE TABLE greetings (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
  created_at timestamptz NOT NULL
);
CREATE INDEX greetings_newest_first ON greetings (created_at DESC, id DESC);

-- Down Migration

DROP TABLE greetings;
