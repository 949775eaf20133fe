DROP TRIGGER api_tokens_changed ON api_tokens;
DROP FUNCTION bump_api_token_generation();
DROP TABLE api_token_generation;
ALTER TABLE api_tokens DROP COLUMN id;
