-- read_only: the key may call only the Describe* actions. Keys created before this column are full.
ALTER TABLE access_keys ADD COLUMN read_only BOOLEAN DEFAULT FALSE NOT NULL;
