-- History by date: "who changed this week", "the base on a past day" and the model's history
-- read intervals by where they end. History rows are appended in valid_to order (each import or
-- model run closes versions on its own date), so a BRIN index is exact enough, tiny, and nearly
-- free to keep up while imports write.
create index customer_history_valid_to on customer_history using brin (valid_to);
create index customer_model_history_valid_to on customer_model_history using brin (valid_to);

-- A customer's purchases in a window (campaign analysis, customer pages).
create index transactions_contact_occurred on transactions (contact_key, occurred_at);

-- Why a model is missing (too few buyers, no convergence), kept with the fit so that a run that
-- reuses it says so too.
alter table model_fits add column notes jsonb;
