DROP TABLE drift_runs;
DROP TABLE request_budgets;
