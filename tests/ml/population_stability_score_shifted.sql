{#-
    Fails when a model score has shifted: population stability index above
    0.25 between training (or, for churn, validation) and scoring. Features
    only warn (population_stability_watch). Populations under 200 rows on
    either side are too small for a decile-based index to mean anything and
    only show in the table.
-#}
select
    model_name,
    variable,
    population_stability_index
from {{ ref('ml_population_stability') }}
where
    variable_kind = 'score'
    and population_stability_index > 0.25
    and training_rows >= 200
    and scoring_rows >= 200
