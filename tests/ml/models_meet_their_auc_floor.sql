{#-
    Fails when a classifier's out-of-time AUC is below its floor (var
    ml_auc_floors) on a validation sample large enough to trust. A sample
    flagged is_validation_small (under 30 events or 200 rows) says nothing
    either way and is reported by that flag instead; a model that could not
    be trained has no AUC and is reported by its validation_method. Models
    listed in var ml_withhold_below_floor are reported by
    withheld_models_below_their_floor instead (a warning): their scores are
    kept out of the marts.
-#}
with

below_floor as (

    {{ ml_models_below_floor(ref('ml_model_metrics')) }}

)

select
    model_name,
    auc,
    auc_floor
from below_floor
where not is_withheld
