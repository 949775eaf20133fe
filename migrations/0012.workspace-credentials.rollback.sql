DROP TABLE credential_changes;
DROP TABLE workspace_credentials;
