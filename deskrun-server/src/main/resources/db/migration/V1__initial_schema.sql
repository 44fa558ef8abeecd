-- Times are epoch milliseconds (BIGINT) so the schema behaves the same on H2 and PostgreSQL.

CREATE TABLE accounts (
  account_id  VARCHAR(64) PRIMARY KEY,
  created_at  BIGINT NOT NULL
);

-- secret_ciphertext: Base64 of nonce + AES-GCM ciphertext under the master key.
CREATE TABLE access_keys (
  access_key_id      VARCHAR(64) PRIMARY KEY,
  account_id         VARCHAR(64) NOT NULL REFERENCES accounts (account_id),
  secret_ciphertext  VARCHAR(512) NOT NULL,
  active             BOOLEAN NOT NULL,
  created_at         BIGINT NOT NULL
);

CREATE TABLE nonces (
  access_key_id  VARCHAR(64) NOT NULL,
  nonce          VARCHAR(128) NOT NULL,
  expires_at     BIGINT NOT NULL,
  PRIMARY KEY (access_key_id, nonce)
);

CREATE INDEX nonces_expiry ON nonces (expires_at);

-- code_hash: hex SHA-256 of the activation code; the code itself is never stored.
CREATE TABLE activations (
  activation_id     VARCHAR(64) PRIMARY KEY,
  account_id        VARCHAR(64) NOT NULL REFERENCES accounts (account_id),
  region_id         VARCHAR(64) NOT NULL,
  code_hash         VARCHAR(64) NOT NULL,
  instance_name     VARCHAR(128) NOT NULL,
  description       VARCHAR(1024),
  instance_count    INTEGER NOT NULL,
  registered_count  INTEGER NOT NULL,
  disabled          BOOLEAN NOT NULL,
  created_at        BIGINT NOT NULL,
  expires_at        BIGINT NOT NULL
);

CREATE INDEX activations_by_account ON activations (account_id, region_id, created_at);

-- token_hash: hex SHA-256 of the agent token. script_types: comma-separated ScriptType names.
CREATE TABLE desktops (
  desktop_id         VARCHAR(64) PRIMARY KEY,
  account_id         VARCHAR(64) NOT NULL REFERENCES accounts (account_id),
  region_id          VARCHAR(64) NOT NULL,
  activation_id      VARCHAR(64) NOT NULL,
  desktop_name       VARCHAR(256) NOT NULL,
  os_type            VARCHAR(16) NOT NULL,
  hostname           VARCHAR(256),
  agent_version      VARCHAR(64),
  script_types       VARCHAR(256) NOT NULL,
  token_hash         VARCHAR(64) NOT NULL,
  last_heartbeat_at  BIGINT,
  created_at         BIGINT NOT NULL
);

CREATE INDEX desktops_by_account ON desktops (account_id, region_id, created_at);
CREATE INDEX desktops_by_activation ON desktops (activation_id);

-- command_content: the decoded script text (at most 12,288 bytes of UTF-8).
CREATE TABLE invocations (
  invoke_id        VARCHAR(64) PRIMARY KEY,
  account_id       VARCHAR(64) NOT NULL REFERENCES accounts (account_id),
  region_id        VARCHAR(64) NOT NULL,
  command_type     VARCHAR(32) NOT NULL,
  command_content  VARCHAR(12288) NOT NULL,
  end_user_id      VARCHAR(256),
  timeout_seconds  BIGINT NOT NULL,
  created_at       BIGINT NOT NULL
);

CREATE INDEX invocations_by_account ON invocations (account_id, region_id, created_at, invoke_id);
CREATE INDEX invocations_by_age ON invocations (created_at);

-- One row per desktop of an invocation. delivered_at: last time a poll handed it out.
-- deadline_at: start plus Timeout, set when the agent acknowledges the start.
CREATE TABLE targets (
  invoke_id     VARCHAR(64) NOT NULL REFERENCES invocations (invoke_id) ON DELETE CASCADE,
  desktop_id    VARCHAR(64) NOT NULL,
  desktop_name  VARCHAR(256),
  status        VARCHAR(16) NOT NULL,
  error_code    VARCHAR(64),
  error_info    VARCHAR(512),
  exit_code     BIGINT,
  output        VARCHAR(24576),
  dropped       BIGINT NOT NULL,
  repeats       INTEGER NOT NULL,
  created_at    BIGINT NOT NULL,
  delivered_at  BIGINT,
  start_time    BIGINT,
  deadline_at   BIGINT,
  stop_time     BIGINT,
  finish_time   BIGINT,
  update_time   BIGINT NOT NULL,
  PRIMARY KEY (invoke_id, desktop_id)
);

CREATE INDEX targets_by_desktop ON targets (desktop_id, status);
CREATE INDEX targets_by_status ON targets (status, created_at);
CREATE INDEX targets_by_deadline ON targets (status, deadline_at);
