-- Facts every server sharing the database must agree on. master-key-check: hex HMAC of a fixed text under
-- the master key, so a server started with another key fails at start-up instead of failing on
-- every request.
CREATE TABLE cluster_facts (
  fact_name   VARCHAR(64) PRIMARY KEY,
  fact_value  VARCHAR(512) NOT NULL,
  created_at  BIGINT NOT NULL
);

-- The periodic re-check of the cross-server wake-up looks for targets stopped since its last look.
CREATE INDEX targets_by_stop_time ON targets (stop_time);
