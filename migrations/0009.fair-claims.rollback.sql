DROP TABLE claim_turns;
