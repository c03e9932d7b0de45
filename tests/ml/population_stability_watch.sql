{#-
    Warns for every score or feature whose population stability index
    between training and scoring is above 0.1 (watch or shifted).
-#}
{{ config(severity='warn') }}

select
    model_name,
    variable,
    variable_kind,
    population_stability_index
from {{ ref('ml_population_stability') }}
where population_stability_index > 0.1
